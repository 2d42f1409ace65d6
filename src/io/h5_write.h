/* Writing HDF5 columns without object times, so that files are byte-identical
 * from run to run (private to the library). Columns of at least
 * PSC__H5_COMPRESS_MIN rows are chunked (about 1 MiB a chunk) and compressed
 * with byte shuffle + deflate, chunks compressed in parallel. */
#ifndef POOLSCREEN_IO_H5_WRITE_H
#define POOLSCREEN_IO_H5_WRITE_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

/* Chosen by measurement (docs/performance.md, "Writing the outputs"). */
#define PSC__H5_COMPRESS_MIN 4096
#define PSC__H5_DEFLATE_LEVEL 1

/* A new group; negative on failure. */
hid_t psc__h5_group(hid_t parent, const char *name);
/* A 1-D dataset of n elements from memory; returns the dataset (close it)
 * or a negative id on failure. */
hid_t psc__h5_column(hid_t g, const char *name, hid_t mem, hid_t file, const void *data,
                     hsize_t n);

/* psc__h5_column, closed at once: 0, or 1 on failure. */
int psc__h5_put(hid_t g, const char *name, hid_t mem, hid_t file, const void *data, hsize_t n);

/* A text attribute, as a variable-length UTF-8 string (h5py reads a str);
 * 0 or 1 on failure. */
int psc__h5_attr_str(hid_t obj, const char *name, const char *value);
/* A column of n texts as fixed-length UTF-8 strings as wide as the longest
 * (never cut); 0 or 1 on failure. */
int psc__h5_strings(hid_t g, const char *name, char *const *v, hsize_t n);

/* Dimension scales (HDF5's H5DS, which h5py shows as ds.dims[k]): makes
 * the 1-D dataset scale (a path from loc) a scale named label, and attaches
 * it to dimension dim of the dataset target (a path from tloc), labelling
 * that dimension label (NULL: no label). 0, or 1 on failure. */
int psc__h5_make_scale(hid_t loc, const char *scale, const char *label);
int psc__h5_attach(hid_t tloc, const char *target, unsigned dim, hid_t loc, const char *scale,
                   const char *label);
/* Makes g's 1-D dataset scale a scale named label and attaches it to
 * dimension 0 (labelled label) of every other 1-D dataset of g with as many
 * rows (the group's columns: each row then names itself). 0, or 1 on
 * failure. */
int psc__h5_scale_rows(hid_t g, const char *scale, const char *label);

/* Rows first .. first+m-1 of a column into buf, in the file type's bytes
 * (buf holds the row width given to psc__h5_column_fill); 0 or -1. Called
 * from several threads at once for different rows. */
typedef int (*psc__h5_fill_fn)(const void *ctx, uint64_t first, uint64_t m, void *buf);
/* A chunked, compressed 1-D dataset of n rows made chunk by chunk by fill
 * (buf_elem: bytes a row fill needs, at least the file type's size);
 * threads <= 0: OpenMP's default. Returns the dataset or a negative id. */
hid_t psc__h5_column_fill(hid_t g, const char *name, hid_t file, hsize_t n, size_t buf_elem,
                          psc__h5_fill_fn fill, const void *ctx, int threads);
/* The same, with the rows either made by fill or, when direct is not NULL,
 * read from direct (n rows already in the file type's bytes; fill unused). */
hid_t psc__h5_column_chunks(hid_t g, const char *name, hid_t file, hsize_t n, size_t buf_elem,
                            psc__h5_fill_fn fill, const void *ctx, const void *direct,
                            int threads);

#endif
