/* HDF5 columns and groups without modification times. */
#include "io/h5_write.h"

hid_t psc__h5_group(hid_t parent, const char *name) {
  hid_t p = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(p, 0);
  hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose(p);
  return g;
}

hid_t psc__h5_column(hid_t g, const char *name, hid_t mem, hid_t file, const void *data,
                     hsize_t n) {
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(p, 0);
  hid_t d = H5Dcreate2(g, name, file, sp, H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose(p);
  H5Sclose(sp);
  if (d >= 0 && n && H5Dwrite(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    H5Dclose(d);
    return -1;
  }
  return d;
}

int psc__h5_put(hid_t g, const char *name, hid_t mem, hid_t file, const void *data, hsize_t n) {
  hid_t d = psc__h5_column(g, name, mem, file, data, n);
  if (d >= 0)
    H5Dclose(d);
  return d < 0;
}

/* HDF5 1.10 cannot recover from a file whose closing flush fails (a full
 * disk): H5Fclose frees the file but leaves its id registered, and the
 * library's own clean-up at exit then reads the freed memory and crashes.
 * poolscreen reports the failure and removes the file itself, so the
 * library's exit-time clean-up is switched off before any other HDF5 call
 * (the operating system reclaims its memory). */
__attribute__((constructor)) static void psc__h5_no_atexit(void) { H5dont_atexit(); }
