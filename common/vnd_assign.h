/* vnd_assign.h: a one-to-one assignment of least total cost over a sparse set of candidate pairs. */
#ifndef VND_ASSIGN_H
#define VND_ASSIGN_H

#include <stddef.h>

/*
 * Rows and columns (say, connections at a proxy's two sides) and the
 * candidate pairs between them, each with a cost. Every row is paired with
 * at most one column and every column with at most one row; a row may stay
 * alone, at a cost of its own. The solver finds the pairing of least total
 * cost (shortest augmenting paths with potentials, the Hungarian method on a
 * sparse graph: each row's search stops at the first free column, so it
 * explores only the rows and columns that compete with it).
 *
 * The regret of a row's pair is what the best pairing without that pair
 * costs more: 0 on a tie, large when no other arrangement comes close. It is
 * the margin of the answer over the next candidate, counted over the whole
 * assignment (a row's second choice may displace others).
 */
struct vnd_assign;

/* nrows rows, ncols columns; NULL: no memory. */
struct vnd_assign *vnd_assign_new(size_t nrows, size_t ncols);

/* A candidate pair; its cost is finite. -1: no memory. */
int	 vnd_assign_add(struct vnd_assign *, size_t row, size_t col, double cost);

/* The cost of leaving a row alone (default: none is allowed but the
   pairs; a row without any stays alone regardless). */
void	 vnd_assign_alone(struct vnd_assign *, size_t row, double cost);

/* Solve: 0, or -1 when memory ran out. */
int	 vnd_assign_solve(struct vnd_assign *);

/* A row's column after vnd_assign_solve(), -1 when it stays alone. */
long	 vnd_assign_col(const struct vnd_assign *, size_t row);

/* The regret of a row's pair (see above); -1 when memory ran out. */
double	 vnd_assign_regret(struct vnd_assign *, size_t row);

void	 vnd_assign_free(struct vnd_assign *);

#endif
