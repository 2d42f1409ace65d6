/* HDF5 columns and groups without modification times; large columns are
 * chunked and compressed (byte shuffle + deflate, the filters every HDF5
 * reader has), the chunks compressed in parallel by ISA-L's igzip (zlib
 * streams, the format HDF5's deflate filter reads, made 4-10 times faster
 * than by libdeflate and 10-20 times faster than by zlib) and written in
 * order with H5Dwrite_chunk, so the file is the same bytes at any thread
 * count. */
#include "io/h5_write.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5_hl.h>
#include <isa-l/igzip_lib.h>

hid_t psc__h5_group(hid_t parent, const char *name) {
  hid_t p = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(p, 0);
  hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose(p);
  return g;
}

/* Rows per chunk: about 1 MiB of raw data (h5py's default chunk cache). */
static hsize_t chunk_rows(size_t elem) {
  hsize_t r = (hsize_t)(1u << 20) / (elem ? elem : 1);
  return r ? r : 1;
}

hid_t psc__h5_column(hid_t g, const char *name, hid_t mem, hid_t file, const void *data,
                     hsize_t n) {
  size_t elem = H5Tget_size(file);
  /* a one-byte enum is written from its codes as they are */
  if (H5Tget_class(file) == H5T_ENUM && H5Tget_size(mem) == elem)
    mem = file;
  /* the same representation in memory and file (native little-endian
   * numbers, fixed strings): compressed; otherwise converted by HDF5 */
  if (n >= PSC__H5_COMPRESS_MIN && H5Tequal(mem, file) > 0) {
    return psc__h5_column_chunks(g, name, file, n, elem, NULL, NULL, data, 0);
  }
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

/* Zeros after every buffer igzip deflates (it may read past its input). */
#define IGZIP_PAD 256

/* One thread's chunk: raw rows, byte-shuffled, deflated. */
typedef struct {
  unsigned char *raw, *shuf, *z, *level_buf;
  size_t zcap, zlen;
  struct isal_zstream *zs;
  int err;
} zchunk_t;

/* Byte-shuffles rows x elem bytes from src (HDF5's shuffle filter: all
 * first bytes, then all second bytes, ...) and deflates them as one zlib
 * stream with ISA-L's igzip at level 1 (docs/performance.md, "Compression of
 * plan.h5": 4-10 times faster than libdeflate's level 1, the same size). */
static void compress_chunk(zchunk_t *c, const unsigned char *src, size_t elem, size_t rows) {
  size_t bytes = rows * elem;
  const unsigned char *in = src;
  if (elem > 1) {
    for (size_t b = 0; b < elem; b++) { /* one byte lane at a time */
      unsigned char *dst = c->shuf + b * rows;
      const unsigned char *s = src + b;
      for (size_t i = 0; i < rows; i++)
        dst[i] = s[i * elem];
    }
    in = c->shuf;
  }
  struct isal_zstream *z = c->zs;
  /* igzip does not clear its hash table between streams: an entry left by
   * the previous chunk this compressor deflated can still find a (valid)
   * match, so the bytes would depend on which chunks a thread had before.
   * A cleared state gives every chunk the same stream at any thread count. */
  memset(z, 0, sizeof(*z));
  memset(c->level_buf, 0, ISAL_DEF_LVL1_DEFAULT);
  isal_deflate_stateless_init(z);
  z->next_in = (uint8_t *)(uintptr_t)in;
  z->avail_in = (uint32_t)bytes;
  z->next_out = c->z;
  z->avail_out = (uint32_t)c->zcap;
  z->level = 1;
  z->level_buf = c->level_buf;
  z->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
  z->gzip_flag = IGZIP_ZLIB;
  if (isal_deflate_stateless(z) != COMP_OK || z->avail_in != 0)
    c->err = 1;
  c->zlen = z->total_out;
}

hid_t psc__h5_column_fill(hid_t g, const char *name, hid_t file, hsize_t n, size_t buf_elem,
                          psc__h5_fill_fn fill, const void *ctx, int threads) {
  return psc__h5_column_chunks(g, name, file, n, buf_elem, fill, ctx, NULL, threads);
}

hid_t psc__h5_column_chunks(hid_t g, const char *name, hid_t file, hsize_t n, size_t buf_elem,
                            psc__h5_fill_fn fill, const void *ctx, const void *direct,
                            int threads) {
  size_t elem = H5Tget_size(file);
  hsize_t rows = chunk_rows(elem);
  if (rows > n)
    rows = n ? n : 1;
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(p, 0);
  H5Pset_chunk(p, 1, &rows);
  H5Pset_shuffle(p);
  H5Pset_deflate(p, PSC__H5_DEFLATE_LEVEL);
  hid_t d = H5Dcreate2(g, name, file, sp, H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose(p);
  H5Sclose(sp);
  if (d < 0 || n == 0)
    return d;
  int nt = threads > 0 ? threads : omp_get_max_threads();
  if (nt < 1)
    nt = 1;
  hsize_t nchunks = (n + rows - 1) / rows;
  /* a batch of chunks per step: two a thread, so that a slow chunk does
   * not leave the other threads waiting at the end of every step */
  int width = nchunks < (hsize_t)(2 * nt) ? (int)nchunks : 2 * nt;
  size_t rawb = (size_t)rows * (buf_elem > elem ? buf_elem : elem);
  /* a deflate stream is at most a few bytes a 64 KiB block over its input */
  size_t zcap = (size_t)rows * elem + ((size_t)rows * elem >> 12) + 1024;
  zchunk_t *c = calloc((size_t)width, sizeof(*c));
  int bad = !c;
  for (int k = 0; !bad && k < width; k++) {
    c[k].zs = malloc(sizeof(*c[k].zs));
    c[k].level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
    /* igzip reads a little past the end of its input: the bytes after a
     * chunk are zeros of our own, so that they never change the stream */
    c[k].raw = calloc(1, rawb + IGZIP_PAD);
    c[k].shuf = calloc(1, (size_t)rows * elem + IGZIP_PAD);
    c[k].z = malloc(zcap);
    c[k].zcap = zcap;
    bad = !c[k].zs || !c[k].level_buf || !c[k].raw || !c[k].shuf || !c[k].z;
  }
  for (hsize_t first = 0; !bad && first < nchunks; first += (hsize_t)width) {
    int m = (int)(nchunks - first < (hsize_t)width ? nchunks - first : (hsize_t)width);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (m > 1)
    for (int k = 0; k < m; k++) {
      hsize_t r0 = (first + (hsize_t)k) * rows;
      hsize_t r = r0 + rows <= n ? rows : n - r0;
      c[k].err = 0;
      const unsigned char *src = c[k].raw;
      if (direct && r == rows && elem > 1)
        src = (const unsigned char *)direct + r0 * elem; /* shuffled from there */
      else if (direct)
        memcpy(c[k].raw, (const unsigned char *)direct + r0 * elem, (size_t)r * elem);
      else if (fill(ctx, r0, r, c[k].raw) != 0)
        c[k].err = 1;
      /* the last chunk is padded to a whole chunk (HDF5 stores whole
       * chunks); the padding is zeros */
      if (r < rows)
        memset(c[k].raw + (size_t)r * elem, 0, (size_t)(rows - r) * elem);
      if (elem == 1) /* deflated from raw: zeros after the rows */
        memset(c[k].raw + rows, 0, IGZIP_PAD);
      if (!c[k].err)
        compress_chunk(&c[k], src, elem, (size_t)rows);
    }
    for (int k = 0; !bad && k < m; k++) {
      hsize_t off = (first + (hsize_t)k) * rows;
      bad = c[k].err || H5Dwrite_chunk(d, H5P_DEFAULT, 0, &off, c[k].zlen, c[k].z) < 0;
    }
  }
  for (int k = 0; c && k < width; k++) {
    free(c[k].raw);
    free(c[k].shuf);
    free(c[k].z);
    free(c[k].zs);
    free(c[k].level_buf);
  }
  free(c);
  if (bad) {
    H5Dclose(d);
    return -1;
  }
  return d;
}

int psc__h5_attr_str(hid_t obj, const char *name, const char *value) {
  if (!value)
    value = "";
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  int bad = a < 0 || H5Awrite(a, t, &value) < 0;
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
  return bad;
}

int psc__h5_strings(hid_t g, const char *name, char *const *v, hsize_t n) {
  size_t w = 1;
  for (hsize_t i = 0; i < n; i++)
    w = strlen(v[i]) > w ? strlen(v[i]) : w;
  char *buf = calloc(n ? n : 1, w);
  if (!buf)
    return 1;
  for (hsize_t i = 0; i < n; i++)
    memcpy(buf + i * w, v[i], strlen(v[i]));
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, w);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_UTF8);
  int bad = psc__h5_put(g, name, t, t, buf, n);
  H5Tclose(t);
  free(buf);
  return bad;
}

int psc__h5_make_scale(hid_t loc, const char *scale, const char *label) {
  hid_t d = H5Dopen2(loc, scale, H5P_DEFAULT);
  int bad = d < 0 || H5DSset_scale(d, label) < 0;
  H5Dclose(d);
  return bad;
}

int psc__h5_attach(hid_t tloc, const char *target, unsigned dim, hid_t loc, const char *scale,
                   const char *label) {
  hid_t t = H5Dopen2(tloc, target, H5P_DEFAULT), d = H5Dopen2(loc, scale, H5P_DEFAULT);
  int bad = t < 0 || d < 0 || H5DSattach_scale(t, d, dim) < 0 ||
            (label && H5DSset_label(t, dim, label) < 0);
  H5Dclose(d);
  H5Dclose(t);
  return bad;
}

/* The length of a 1-D dataset, or -1 (another rank, not a dataset). */
static long long rows_of(hid_t g, const char *name) {
  H5O_info_t oi;
  if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
    return -1;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
  hsize_t n = 0;
  long long r = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
                        H5Sget_simple_extent_dims(sp, &n, NULL) == 1
                    ? (long long)n
                    : -1;
  H5Sclose(sp);
  H5Dclose(d);
  return r;
}

typedef struct {
  hid_t scale;
  const char *name, *label;
  long long rows;
  int bad;
} rows_ctx_t;

static herr_t attach_one(hid_t g, const char *name, const H5L_info_t *info, void *arg) {
  rows_ctx_t *c = arg;
  (void)info;
  if (!strcmp(name, c->name) || rows_of(g, name) != c->rows)
    return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0 || (H5DSis_scale(d) <= 0 && (H5DSattach_scale(d, c->scale, 0) < 0 ||
                                          H5DSset_label(d, 0, c->label) < 0)))
    c->bad = 1;
  H5Dclose(d);
  return 0;
}

int psc__h5_scale_rows(hid_t g, const char *scale, const char *label) {
  rows_ctx_t c = {-1, scale, label, rows_of(g, scale), 0};
  if (c.rows < 0 || psc__h5_make_scale(g, scale, label))
    return 1;
  c.scale = H5Dopen2(g, scale, H5P_DEFAULT);
  /* in name order: the same file at every run */
  if (c.scale < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, attach_one, &c) < 0)
    c.bad = 1;
  H5Dclose(c.scale);
  return c.bad;
}

/* HDF5 1.10 cannot recover from a file whose closing flush fails (a full
 * disk): H5Fclose frees the file but leaves its id registered, and the
 * library's own clean-up at exit then reads the freed memory and crashes.
 * poolscreen reports the failure and removes the file itself, so the
 * library's exit-time clean-up is switched off before any other HDF5 call
 * (the operating system reclaims its memory). */
__attribute__((constructor)) static void psc__h5_no_atexit(void) { H5dont_atexit(); }
