/* Reading plan.h5 back: whole columns into memory, strings into one pool. */
#include "io/h5_read.h"

#include <libdeflate.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* The parallel path of psc__h5_read_all: whole chunks, read raw in order,
 * then inflated and un-shuffled on all threads. -2 when the dataset is not
 * of that shape (the caller uses H5Dread), -1 on a damaged chunk. */
static int read_chunks(hid_t d, hid_t mem, hsize_t n, void *buf) {
  hid_t dcpl = H5Dget_create_plist(d), ft = H5Dget_type(d);
  hsize_t rows = 0;
  /* each filter asked with room for no parameters (H5Pget_filter2 sets the
   * count it is given to the filter's own, and refuses a count above 0
   * without an array: one count each) */
  unsigned flags;
  size_t nel0 = 0, nel1 = 0;
  int shape = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &rows) == 1 &&
              rows > 0 && H5Pget_nfilters(dcpl) == 2 &&
              H5Pget_filter2(dcpl, 0, &flags, &nel0, NULL, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE &&
              H5Pget_filter2(dcpl, 1, &flags, &nel1, NULL, 0, NULL, NULL) == H5Z_FILTER_DEFLATE &&
              (H5Tequal(ft, mem) > 0 ||
               (H5Tget_class(ft) == H5T_ENUM && H5Tget_size(ft) == H5Tget_size(mem)));
  size_t elem = H5Tget_size(ft);
  H5Tclose(ft);
  H5Pclose(dcpl);
  if (!shape || elem == 0 || (uint64_t)rows * elem > (64u << 20))
    return -2;
  size_t raw = (size_t)rows * elem, zmax = raw + raw / 2 + 4096;
  hsize_t nchunks = (n + rows - 1) / rows;
  int nt = omp_get_max_threads();
  int width = nchunks < (hsize_t)(2 * nt) ? (int)nchunks : 2 * nt;
  unsigned char **z = calloc((size_t)width, sizeof(*z)), **tmp = calloc((size_t)width, sizeof(*tmp));
  size_t *zlen = calloc((size_t)width, sizeof(*zlen));
  int rc = z && tmp && zlen ? 0 : -1;
  for (int k = 0; !rc && k < width; k++)
    if (!(z[k] = malloc(zmax)) || !(tmp[k] = malloc(raw)))
      rc = -1;
  for (hsize_t first = 0; !rc && first < nchunks; first += (hsize_t)width) {
    int m = (int)(nchunks - first < (hsize_t)width ? nchunks - first : (hsize_t)width);
    for (int k = 0; !rc && k < m; k++) {
      hsize_t off = (first + (hsize_t)k) * rows, size = 0;
      uint32_t mask = 0;
      if (H5Dget_chunk_storage_size(d, &off, &size) < 0 || size == 0 || size > zmax ||
          H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, z[k]) < 0 || mask != 0)
        rc = -1;
      zlen[k] = (size_t)size;
    }
    int bad = 0;
#pragma omp parallel for schedule(static, 1) reduction(| : bad) if (m > 1)
    for (int k = 0; k < m; k++) {
      if (rc)
        continue;
      struct libdeflate_decompressor *dd = libdeflate_alloc_decompressor();
      size_t got = 0;
      if (!dd || libdeflate_zlib_decompress(dd, z[k], zlen[k], tmp[k], raw, &got) !=
                     LIBDEFLATE_SUCCESS || got != raw) {
        bad = 1;
      } else {
        hsize_t r0 = (first + (hsize_t)k) * rows;
        size_t r = (size_t)(r0 + rows <= n ? rows : n - r0);
        unsigned char *out = (unsigned char *)buf + (size_t)r0 * elem;
        for (size_t b = 0; b < elem; b++) { /* one byte lane at a time */
          const unsigned char *src = tmp[k] + b * (size_t)rows;
          for (size_t i = 0; i < r; i++)
            out[i * elem + b] = src[i];
        }
      }
      if (dd)
        libdeflate_free_decompressor(dd);
    }
    if (bad)
      rc = -1;
  }
  for (int k = 0; k < width; k++) {
    if (z)
      free(z[k]);
    if (tmp)
      free(tmp[k]);
  }
  free(z);
  free(tmp);
  free(zlen);
  return rc;
}

int psc__h5_read_all(hid_t d, hid_t mem, hsize_t n, void *buf) {
  if (n == 0)
    return 0;
  int rc = read_chunks(d, mem, n, buf);
  if (rc == -2)
    rc = H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0;
  return rc;
}

static hid_t open_dataset(hid_t f, const char *path, hsize_t *n) {
  /* opened directly (errors are off): the path may run through external
   * links, which H5Lexists does not follow */
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

int psc__h5_length(hid_t f, const char *path, uint32_t *n) {
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0)
    return -1;
  H5Dclose(d);
  *n = (uint32_t)len;
  return len > UINT32_MAX ? -1 : 0;
}

void *psc__h5_read(hid_t f, const char *path, hid_t mem, size_t elem, uint32_t *n) {
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0)
    return NULL;
  if (len > UINT32_MAX) {
    H5Dclose(d);
    return NULL;
  }
  void *buf = psc__malloc(len ? len : 1, elem);
  if (buf && len && psc__h5_read_all(d, mem, len, buf) < 0) {
    free(buf);
    buf = NULL;
  }
  H5Dclose(d);
  *n = (uint32_t)len;
  return buf;
}

/* Reads rows idx[0..m) of dataset d (all rows when idx is NULL) into buf
 * as memory type mt; 0 or -1. */
static int read_rows(hid_t d, hid_t mt, hsize_t len, const uint32_t *idx, uint32_t m, void *buf) {
  if (!m)
    return 0;
  hsize_t *coord = NULL;
  if (idx) {
    coord = psc__malloc(m, sizeof(hsize_t));
    if (!coord)
      return -1;
    for (uint32_t i = 0; i < m; i++) {
      if (idx[i] >= len) {
        free(coord);
        return -1;
      }
      coord[i] = idx[i];
    }
  }
  hid_t fs = H5Dget_space(d);
  hsize_t mm = m;
  hid_t ms = H5Screate_simple(1, &mm, NULL);
  int ok = (!idx || H5Sselect_elements(fs, H5S_SELECT_SET, m, coord) >= 0) &&
           H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) >= 0;
  H5Sclose(ms);
  H5Sclose(fs);
  free(coord);
  return ok ? 0 : -1;
}

/* Rows idx[0..m) of a fixed-length string dataset (every row when all is
 * set), each NUL-terminated in a stride one byte wider than the file's. */
static int read_string_rows(hid_t f, const char *path, int all, const uint32_t *idx, uint32_t m,
                            psc__strcol_t *col) {
  memset(col, 0, sizeof(*col));
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0 || len > UINT32_MAX)
    return -1;
  if (all)
    m = (uint32_t)len;
  hid_t t = H5Dget_type(d);
  int rc = -1;
  if (H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
    size_t w = H5Tget_size(t) + 1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    H5Tset_cset(mt, H5Tget_cset(t));
    col->raw = malloc((size_t)m * w + 1);
    int ok = col->raw != NULL;
    if (ok && all && m) {
      /* the whole column in the file's width (decompressed in parallel),
       * then spread to one byte more a row for the NULs */
      size_t fw = w - 1;
      ok = psc__h5_read_all(d, t, m, col->raw) == 0;
      for (uint32_t i = m; ok && i-- > 0;) {
        memmove(col->raw + (size_t)i * w, col->raw + (size_t)i * fw, fw);
        col->raw[(size_t)i * w + fw] = '\0';
      }
    } else if (ok)
      ok = !read_rows(d, mt, len, all ? NULL : idx, m, col->raw);
    if (ok) {
      col->stride = w;
      col->n = m;
      rc = 0;
    } else {
      free(col->raw);
      col->raw = NULL;
    }
    H5Tclose(mt);
  }
  H5Tclose(t);
  H5Dclose(d);
  return rc;
}

int psc__h5_read_strings(hid_t f, const char *path, psc__strcol_t *col) {
  return read_string_rows(f, path, 1, NULL, 0, col);
}

int psc__h5_read_strings_at(hid_t f, const char *path, const uint32_t *idx, uint32_t m,
                            psc__strcol_t *col) {
  return read_string_rows(f, path, 0, idx, m, col);
}

uint32_t *psc__h5_read_u32_at(hid_t f, const char *path, const uint32_t *idx, uint32_t m) {
  hsize_t len = 0;
  hid_t d = open_dataset(f, path, &len);
  if (d < 0)
    return NULL;
  uint32_t *out = psc__malloc(m + 1, 4);
  if (out && read_rows(d, H5T_NATIVE_UINT32, len, idx, m, out)) {
    free(out);
    out = NULL;
  }
  H5Dclose(d);
  return out;
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

int psc__h5_attr_text(hid_t obj, const char *name, char *buf, size_t size) {
  if (size == 0 || H5Aexists(obj, name) <= 0)
    return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  int rc = -1;
  if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
    char *s = NULL;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t));
    if (H5Aread(a, mt, &s) >= 0 && s) {
      snprintf(buf, size, "%s", s);
      rc = 0;
    }
    if (s)
      H5free_memory(s);
    H5Tclose(mt);
  } else if (H5Tget_class(t) == H5T_STRING) {
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, size);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    H5Tset_cset(mt, H5Tget_cset(t));
    rc = H5Aread(a, mt, buf) < 0 ? -1 : 0;
    buf[size - 1] = '\0';
    H5Tclose(mt);
  }
  H5Tclose(t);
  H5Aclose(a);
  return rc;
}
