/* Reading HDF5 columns (private to the library). Errors are quiet: callers
 * report them as positioned diagnostics on the file. */
#ifndef POOLSCREEN_IO_H5_READ_H
#define POOLSCREEN_IO_H5_READ_H

#include <hdf5.h>

#include "internal.h"

/* Reads all n rows of 1-D dataset d as memory type mem into buf. Datasets
 * written by psc__h5_column_fill (chunked, shuffle + deflate, the memory
 * type's representation) are decompressed in parallel by libdeflate, chunk
 * by chunk, with every size checked; anything else goes through H5Dread.
 * 0 or -1. */
int psc__h5_read_all(hid_t d, hid_t mem, hsize_t n, void *buf);
/* A 1-D dataset as n elements of the memory type; NULL when missing. */
void *psc__h5_read(hid_t f, const char *path, hid_t mem, size_t elem, uint32_t *n);
/* The length of a 1-D dataset, without reading it; 0 or -1 when missing. */
int psc__h5_length(hid_t f, const char *path, uint32_t *n);
/* A column of fixed-width strings, each NUL-terminated in place: string i
 * is raw + i * stride. */
typedef struct {
  char *raw;
  size_t stride;
  uint32_t n;
} psc__strcol_t;
#define PSC__STR(col, i) ((col).raw + (size_t)(i) * (col).stride)
/* Reads a fixed-length string dataset; 0, or -1 when missing. free(col->raw). */
int psc__h5_read_strings(hid_t f, const char *path, psc__strcol_t *col);
/* Reads only the rows idx[0..m) of a fixed-length string dataset, in that
 * order, into col (col->n = m). 0, or -1 when missing. free(col->raw). */
int psc__h5_read_strings_at(hid_t f, const char *path, const uint32_t *idx, uint32_t m,
                            psc__strcol_t *col);
/* Reads only the rows idx[0..m) of a uint32 dataset; NULL when missing. */
uint32_t *psc__h5_read_u32_at(hid_t f, const char *path, const uint32_t *idx, uint32_t m);
/* Scalar attributes; 0 or -1 when missing. */
int psc__h5_attr_f64(hid_t obj, const char *name, double *v);
int psc__h5_attr_i64(hid_t obj, const char *name, long long *v);
/* A fixed-length string attribute into buf (cut to size - 1 bytes, NUL
 * terminated); 0 or -1 when missing or not a string. */
int psc__h5_attr_text(hid_t obj, const char *name, char *buf, size_t size);

#endif
