/* Reading plan.h5 back: whole columns into memory, strings into one pool. */
#include "io/h5_read.h"

#include <stdlib.h>
#include <string.h>

static hid_t open_dataset(hid_t f, const char *path, hsize_t *n) {
  if (H5Lexists(f, path, H5P_DEFAULT) <= 0)
    return -1;
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0)
    return -1;
  hid_t sp = H5Dget_space(d);
  if (H5Sget_simple_extent_ndims(sp) != 1) {
    H5Sclose(sp);
    H5Dclose(d);
    return -1;
  }
  H5Sget_simple_extent_dims(sp, n, NULL);
  H5Sclose(sp);
  return d;
}

void *psc__h5_read(hid_t f, const char *path, hid_t mem, size_t elem, uint32_t *n) {
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0 || len > UINT32_MAX)
    return NULL;
  void *buf = psc__malloc(len ? len : 1, elem);
  if (buf && len && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    free(buf);
    buf = NULL;
  }
  H5Dclose(d);
  *n = (uint32_t)len;
  return buf;
}

char **psc__h5_read_strings(hid_t f, const char *path, uint32_t *n) {
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0 || len > UINT32_MAX)
    return NULL;
  hid_t t = H5Dget_type(d);
  size_t w = H5Tget_size(t);
  char **ptr = NULL;
  if (H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
    /* the pointer table and the text in one allocation: free(ptr) frees all */
    ptr = malloc((size_t)len * sizeof(char *) + (size_t)len * (w + 1) + 1);
    char *raw = ptr ? malloc((size_t)len * w + 1) : NULL;
    if (ptr && raw && (!len || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0)) {
      char *text = (char *)(ptr + len);
      for (hsize_t i = 0; i < len; i++) {
        ptr[i] = text + i * (w + 1);
        memcpy(ptr[i], raw + i * w, w);
        ptr[i][w] = '\0';
      }
    } else {
      free(ptr);
      ptr = NULL;
    }
    free(raw);
  }
  H5Tclose(t);
  H5Dclose(d);
  *n = (uint32_t)len;
  return ptr;
}

int psc__h5_attr_f64(hid_t obj, const char *name, double *v) {
  if (H5Aexists(obj, name) <= 0)
    return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  int rc = H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0 ? -1 : 0;
  H5Aclose(a);
  return rc;
}

int psc__h5_attr_i64(hid_t obj, const char *name, long long *v) {
  if (H5Aexists(obj, name) <= 0)
    return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  int rc = H5Aread(a, H5T_NATIVE_LLONG, v) < 0 ? -1 : 0;
  H5Aclose(a);
  return rc;
}
