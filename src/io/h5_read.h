/* Reading HDF5 columns (private to the library). Errors are quiet: callers
 * report them as positioned diagnostics on the file. */
#ifndef POOLSCREEN_IO_H5_READ_H
#define POOLSCREEN_IO_H5_READ_H

#include <hdf5.h>

#include "internal.h"

/* A 1-D dataset as n elements of the memory type; NULL when missing. */
void *psc__h5_read(hid_t f, const char *path, hid_t mem, size_t elem, uint32_t *n);
/* A fixed-length string dataset as NUL-terminated strings; free() the
 * returned array frees them all. NULL when missing. */
char **psc__h5_read_strings(hid_t f, const char *path, uint32_t *n);
/* Scalar attributes; 0 or -1 when missing. */
int psc__h5_attr_f64(hid_t obj, const char *name, double *v);
int psc__h5_attr_i64(hid_t obj, const char *name, long long *v);

#endif
