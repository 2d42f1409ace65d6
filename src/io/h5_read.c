/* Reading plan.h5 back: whole columns into memory, strings into one pool. */
#include "io/h5_read.h"

#include <libdeflate.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Whether d is a column as psc__h5_column_fill writes it (chunks of whole
 * rows, byte shuffle then deflate, stored in the representation of mem):
 * then its chunks are inflated here in parallel by libdeflate. 1 with the
 * rows per chunk and the element size, else 0. */
static int deflate_shape(hid_t d, hid_t mem, hsize_t *rows, size_t *elem) {
  hid_t dcpl = H5Dget_create_plist(d), ft = H5Dget_type(d);
  *rows = 0;
  /* each filter asked with room for no parameters (H5Pget_filter2 sets the
   * count it is given to the filter's own, and refuses a count above 0
   * without an array: one count each) */
  unsigned flags;
  size_t nel0 = 0, nel1 = 0;
  int shape = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, rows) == 1 &&
              *rows > 0 && H5Pget_nfilters(dcpl) == 2 &&
              H5Pget_filter2(dcpl, 0, &flags, &nel0, NULL, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE &&
              H5Pget_filter2(dcpl, 1, &flags, &nel1, NULL, 0, NULL, NULL) == H5Z_FILTER_DEFLATE &&
              (H5Tequal(ft, mem) > 0 ||
               (H5Tget_class(ft) == H5T_ENUM && H5Tget_size(ft) == H5Tget_size(mem)));
  *elem = H5Tget_size(ft);
  H5Tclose(ft);
  H5Pclose(dcpl);
  return shape && *elem > 0 && (uint64_t)*rows * *elem <= (64u << 20);
}

/* Row i of a shuffled chunk (byte b of every row together, rows rows a
 * lane) into out: elem bytes. */
static inline void unshuffle_row(unsigned char *out, const unsigned char *src, size_t rows,
                                 size_t i, size_t elem) {
  for (size_t b = 0; b < elem; b++)
    out[b] = src[b * rows + i];
}

/* Rows 0..r of a shuffled chunk into out, elem bytes a row every stride
 * bytes. Packed 4- and 8-byte rows are put together from their lanes in a
 * register on little-endian hosts (one store a row, not one a byte). */
static void unshuffle(unsigned char *out, size_t stride, const unsigned char *src, size_t rows,
                      size_t r, size_t elem) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (elem == 4 && stride == 4) {
    const unsigned char *s0 = src, *s1 = src + rows, *s2 = src + 2 * rows, *s3 = src + 3 * rows;
    for (size_t i = 0; i < r; i++) {
      uint32_t x = (uint32_t)s0[i] | (uint32_t)s1[i] << 8 | (uint32_t)s2[i] << 16 |
                   (uint32_t)s3[i] << 24;
      memcpy(out + i * 4, &x, 4);
    }
    return;
  }
  if (elem == 8 && stride == 8) {
    for (size_t i = 0; i < r; i++) {
      uint64_t x = 0;
      for (size_t b = 0; b < 8; b++)
        x |= (uint64_t)src[b * rows + i] << (8 * b);
      memcpy(out + i * 8, &x, 8);
    }
    return;
  }
#endif
  if (elem == 1 && stride == 1) {
    memcpy(out, src, r);
  } else {
    for (size_t i = 0; i < r; i++)
      unshuffle_row(out + i * stride, src, rows, i, elem);
  }
}

/* What to do with each inflated chunk (still shuffled), on any thread:
 * chunk is its number (its first row is chunk * rows). */
typedef void (*put_fn)(void *ctx, hsize_t chunk, const unsigned char *raw);

/* Inflates chunks list[0..m) of d (chunk numbers; NULL: 0..m-1) and hands
 * each to put. Every thread takes the next chunk, reads it raw (HDF5 calls
 * one thread at a time: the library is not thread-safe; the caller holds
 * the HDF5 section lock, so no other part of poolscreen calls it), then
 * inflates it with its checksum and size checked, while the others read
 * or inflate theirs. 0, or -1 on a missing or damaged chunk. */
static int inflate_chunks(hid_t d, hsize_t rows, size_t elem, const hsize_t *list, hsize_t m,
                          put_fn put, void *ctx) {
  size_t raw = (size_t)rows * elem, zmax = raw + raw / 2 + 4096;
  int nt = omp_get_max_threads();
  if ((hsize_t)nt > m)
    nt = (int)m;
  hsize_t next = 0;
  int bad = 0;
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    unsigned char *z = malloc(zmax), *tmp = malloc(raw);
    struct libdeflate_decompressor *dd = libdeflate_alloc_decompressor();
    if (!z || !tmp || !dd) {
#pragma omp atomic write
      bad = 1;
    }
    for (;;) {
      hsize_t c = 0, size = 0;
      int take = 0;
#pragma omp critical(psc_h5_chunk_read)
      {
        if (!bad && next < m) {
          c = list ? list[next] : next;
          next++;
          hsize_t off = c * rows;
          uint32_t mask = 0;
          if (H5Dget_chunk_storage_size(d, &off, &size) < 0 || size == 0 || size > zmax ||
              H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, z) < 0 || mask != 0)
            bad = 1;
          else
            take = 1;
        }
      }
      if (!take)
        break;
      size_t got = 0;
      if (libdeflate_zlib_decompress(dd, z, (size_t)size, tmp, raw, &got) != LIBDEFLATE_SUCCESS ||
          got != raw) {
#pragma omp atomic write
        bad = 1;
        break;
      }
      put(ctx, c, tmp);
    }
    if (dd)
      libdeflate_free_decompressor(dd);
    free(z);
    free(tmp);
  }
  return bad ? -1 : 0;
}

/* Every row of a column, in order, a row every stride bytes. */
typedef struct {
  hsize_t rows, n;
  size_t elem, stride;
  unsigned char *buf;
} all_t;

static void put_all(void *ctx, hsize_t chunk, const unsigned char *raw) {
  const all_t *a = ctx;
  hsize_t r0 = chunk * a->rows;
  size_t r = (size_t)(r0 + a->rows <= a->n ? a->rows : a->n - r0);
  unshuffle(a->buf + (size_t)r0 * a->stride, a->stride, raw, (size_t)a->rows, r, a->elem);
}

/* The parallel path of a whole-column read, row i to buf + i * stride
 * (0: packed). -2 when the dataset is not of that shape (the caller uses
 * H5Dread), -1 on a damaged chunk. */
static int read_chunks(hid_t d, hid_t mem, hsize_t n, void *buf, size_t stride) {
  all_t a = {.n = n, .buf = buf};
  if (!deflate_shape(d, mem, &a.rows, &a.elem) || (stride && stride < a.elem))
    return -2;
  a.stride = stride ? stride : a.elem;
  return inflate_chunks(d, a.rows, a.elem, NULL, (n + a.rows - 1) / a.rows, put_all, &a);
}

/* Chosen rows of a column: request k (row idx[k]) goes to out + k * stride;
 * the requests of chunk c are at[first[c]..first[c + 1]). */
typedef struct {
  hsize_t rows;
  size_t elem, stride;
  const uint32_t *idx, *at, *first;
  unsigned char *out;
} some_t;

static void put_some(void *ctx, hsize_t chunk, const unsigned char *raw) {
  const some_t *s = ctx;
  hsize_t r0 = chunk * s->rows;
  for (uint32_t j = s->first[chunk]; j < s->first[chunk + 1]; j++) {
    uint32_t k = s->at[j];
    unshuffle_row(s->out + (size_t)k * s->stride, raw, (size_t)s->rows,
                  (size_t)(s->idx[k] - r0), s->elem);
  }
}

/* The parallel path of a read of rows idx[0..m) (each < len, checked by
 * the caller), row k to out + k * stride: only the chunks that hold a
 * requested row are inflated, each once. -2 when the dataset is not of
 * that shape, -1 on a damaged chunk or without memory. */
static int read_chunk_rows(hid_t d, hid_t mem, hsize_t len, const uint32_t *idx, uint32_t m,
                           void *out, size_t stride) {
  some_t s = {.idx = idx, .out = out, .stride = stride};
  if (!deflate_shape(d, mem, &s.rows, &s.elem) || s.elem > stride)
    return -2;
  hsize_t nchunks = (len + s.rows - 1) / s.rows;
  if (nchunks >= UINT32_MAX)
    return -2;
  uint32_t *first = calloc((size_t)nchunks + 2, 4), *at = psc__malloc(m + 1, 4);
  hsize_t *list = psc__malloc((size_t)nchunks + 1, sizeof(hsize_t));
  int rc = -1;
  if (first && at && list) {
    /* the requests by chunk (a counting sort), and the chunks touched */
    for (uint32_t k = 0; k < m; k++)
      first[idx[k] / s.rows + 2]++;
    hsize_t touched = 0;
    for (hsize_t c = 0; c < nchunks; c++) {
      if (first[c + 2])
        list[touched++] = c;
      first[c + 2] += first[c + 1];
    }
    for (uint32_t k = 0; k < m; k++)
      at[first[idx[k] / s.rows + 1]++] = k;
    s.at = at;
    s.first = first;
    rc = inflate_chunks(d, s.rows, s.elem, list, touched, put_some, &s);
  }
  free(first);
  free(at);
  free(list);
  return rc;
}

int psc__h5_read_all(hid_t d, hid_t mem, hsize_t n, void *buf) {
  if (n == 0)
    return 0;
  int rc = read_chunks(d, mem, n, buf, 0);
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
 * as memory type mt through H5Dread; 0 or -1. */
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

/* Rows idx[0..m) (each checked against len), row k to buf + k * stride:
 * raw from the chunks (stored as mt's representation) when the dataset
 * has that shape, else through H5Dread as mt (stride then mt's size). */
static int read_rows_at(hid_t d, hid_t raw_t, hid_t mt, hsize_t len, const uint32_t *idx,
                        uint32_t m, void *buf, size_t stride) {
  for (uint32_t k = 0; k < m; k++)
    if (idx[k] >= len)
      return -1;
  int rc = m ? read_chunk_rows(d, raw_t, len, idx, m, buf, stride) : 0;
  return rc == -2 ? read_rows(d, mt, len, idx, m, buf) : rc;
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
    size_t fw = H5Tget_size(t), w = fw + 1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    H5Tset_cset(mt, H5Tget_cset(t));
    col->raw = malloc((size_t)m * w + 1);
    int ok = col->raw != NULL;
    /* raw bytes are the strings only when padded with NULs (space padding
     * is left to HDF5's conversion, which removes it) */
    if (ok && H5Tget_strpad(t) == H5T_STR_SPACEPAD) {
      ok = !read_rows(d, mt, len, all ? NULL : idx, m, col->raw);
    } else if (ok && all && m) {
      /* the file's bytes straight into their rows (inflated in parallel),
       * else the whole column in the file's width spread to one byte more
       * a row; then the NULs */
      int got = read_chunks(d, t, m, col->raw, w);
      if (got == -2) {
        got = H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, col->raw) < 0 ? -1 : 0;
        for (uint32_t i = m; !got && i-- > 0;)
          memmove(col->raw + (size_t)i * w, col->raw + (size_t)i * fw, fw);
      }
      ok = got == 0;
    } else if (ok && !all) {
      /* the chosen rows: raw bytes from the chunks, or converted by HDF5
       * to NUL-terminated strings of width w */
      ok = !read_rows_at(d, t, mt, len, idx, m, col->raw, w);
    }
    for (uint32_t i = 0; ok && i < m; i++)
      col->raw[(size_t)i * w + fw] = '\0';
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
  if (out && read_rows_at(d, H5T_NATIVE_UINT32, H5T_NATIVE_UINT32, len, idx, m, out, 4)) {
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
