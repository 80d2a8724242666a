#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "vnd_assign.h"
static int NR, NC; static double C[8][8]; static int has[8][8]; static double AL[8];
static double best; static int used[8];
static void bf(int r, double acc, int skipr, int skipc) {
  if (r == NR) { if (acc < best) best = acc; return; }
  if (AL[r] < HUGE_VAL) bf(r+1, acc+AL[r], skipr, skipc);
  for (int c = 0; c < NC; c++) if (has[r][c] && !used[c] && !(r==skipr && c==skipc)) { used[c]=1; bf(r+1, acc+C[r][c], skipr, skipc); used[c]=0; }
}
int main(void) {
  srand(1); int bad = 0;
  for (int it = 0; it < 20000; it++) {
    NR = 1 + rand()%6; NC = 1 + rand()%6;
    struct vnd_assign *a = vnd_assign_new(NR, NC);
    for (int r = 0; r < NR; r++) { AL[r] = (rand()%3==0) ? HUGE_VAL : rand()%20; if (AL[r] < HUGE_VAL) vnd_assign_alone(a, r, AL[r]);
      for (int c = 0; c < NC; c++) { has[r][c] = rand()%2; C[r][c] = rand()%10 + (rand()%100)/100.0; if (has[r][c]) vnd_assign_add(a, r, c, C[r][c]); } }
    vnd_assign_solve(a);
    /* solution cost, feasibility */
    double tot = 0; int ok = 1, nalone = 0;
    for (int r = 0; r < NR; r++) { long c = vnd_assign_col(a, r); if (c >= 0) tot += C[r][c]; else if (AL[r] < HUGE_VAL) tot += AL[r]; else nalone++; }
    /* brute force requires rows without alone option to be matched; skip instances where infeasible */
    best = HUGE_VAL; bf(0, 0, -1, -1);
    if (best == HUGE_VAL) { vnd_assign_free(a); continue; }
    if (nalone || fabs(best - tot) > 1e-6) { ok = 0; }
    for (int r = 0; r < NR && ok; r++) { long c = vnd_assign_col(a, r); if (c < 0) continue;
      double rg = vnd_assign_regret(a, r); double b0 = best; best = HUGE_VAL; bf(0, 0, r, (int)c); double want = best - b0; best = b0;
      if (!(fabs(rg - want) < 1e-6 || (want == HUGE_VAL && rg == HUGE_VAL))) { printf("regret it %d row %d got %g want %g\n", it, r, rg, want); ok = 0; } }
    if (!ok) { bad++; if (bad < 5) printf("it %d: got %g want %g nalone %d\n", it, tot, best, nalone); }
    vnd_assign_free(a);
  }
  printf("bad %d\n", bad); return 0;
}
