/* vnd_peek.c: placeholder until the Peek classic reader lands. */
#include "vnd_input_int.h"
int vnd_peek_probe(const uint8_t *h, size_t n) { (void)h; (void)n; return 0; }
int vnd_peek_open(struct vnd_input *in, const uint8_t *h, size_t n, char *e) { (void)in; (void)h; (void)n; (void)e; return -1; }
int vnd_peek_next(struct vnd_input *in, struct vnd_frame *f, char *e) { (void)in; (void)f; (void)e; return VND_IN_ERR; }
