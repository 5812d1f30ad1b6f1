/* memwhere: growing an array by doubling. */
#ifndef MW_GROW_H
#define MW_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The array v with room for element nr: v itself while nr < *cap, else v
 * reallocated to twice *cap elements of size bytes (first when *cap is 0)
 * and *cap updated. NULL when memory is short or the size would overflow;
 * v is then untouched and still the caller's to free.
 */
static inline void *mw_grow(void *v, size_t *cap, size_t nr, size_t size, size_t first)
{
	if (nr < *cap)
		return v;
	size_t n = *cap ? *cap * 2 : first;
	if (n <= *cap || !size || n > SIZE_MAX / size)
		return NULL;
	void *p = realloc(v, n * size);
	if (p)
		*cap = n;
	return p;
}

#endif
