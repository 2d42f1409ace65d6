/* Writing HDF5 columns without object times, so that files are byte-identical
 * from run to run (private to the library). */
#ifndef POOLSCREEN_IO_H5_WRITE_H
#define POOLSCREEN_IO_H5_WRITE_H

#include <hdf5.h>

/* A new group; negative on failure. */
hid_t psc__h5_group(hid_t parent, const char *name);
/* A 1-D dataset of n elements from memory; returns the dataset (close it)
 * or a negative id on failure. */
hid_t psc__h5_column(hid_t g, const char *name, hid_t mem, hid_t file, const void *data,
                     hsize_t n);

/* psc__h5_column, closed at once: 0, or 1 on failure. */
int psc__h5_put(hid_t g, const char *name, hid_t mem, hid_t file, const void *data, hsize_t n);

#endif
