/* libFuzzer harness: plan.h5 mutated dataset by dataset. The input bytes
 * are a program of edits to a valid plan file — pick a dataset of the
 * layout table, then shorten or lengthen it, overwrite values (indices,
 * codes, rates, offsets) with fuzzed ones, delete it, retype it, or change
 * a root attribute — so the mutations reach poolscreen's reader instead of
 * stopping in HDF5's own parser of damaged bytes (which HDF5's fuzzers
 * cover). decode must then succeed or refuse the file with diagnostics: no
 * crash, hang or leak. */
#include "fuzz_common.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plan_layout.h"
#include "poolscreen/poolscreen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *p;
  size_t n;
} input_t;

static uint32_t take(input_t *in, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v = v << 8 | (in->n ? *in->p : 0);
    if (in->n) {
      in->p++;
      in->n--;
    }
  }
  return v;
}

/* Rewrites dataset path with n rows of type t from buf. */
static void replace(hid_t f, const char *path, hid_t t, hsize_t n, const void *buf) {
  H5Ldelete(f, path, H5P_DEFAULT);
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t d = H5Dcreate2(f, path, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0 && n)
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  H5Dclose(d);
  H5Sclose(sp);
}

static void edit(hid_t f, input_t *in) {
  const psc__layout_t *l = &PSC__PLAN_LAYOUT[take(in, 1) % PSC__PLAN_LAYOUT_COUNT];
  char path[128];
  snprintf(path, sizeof path, "%s/%s", l->group, l->name);
  uint32_t op = take(in, 1) % 7;
  if (op == 6) { /* a damaged compressed chunk */
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t dcpl = d >= 0 ? H5Dget_create_plist(d) : -1;
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED) {
      unsigned char junk[64];
      size_t len = 1 + take(in, 1) % sizeof junk;
      for (size_t i = 0; i < len; i++)
        junk[i] = (unsigned char)take(in, 1);
      hsize_t off = 0;
      H5Dwrite_chunk(d, H5P_DEFAULT, 0, &off, len, junk);
    }
    if (dcpl >= 0)
      H5Pclose(dcpl);
    if (d >= 0)
      H5Dclose(d);
    return;
  }
  if (op == 5) { /* a root attribute */
    static const char *attrs[] = {"format", "format_version", "plan_identity",
                                  "transport.speed_kmh", "lab.report_minutes",
                                  "tube_date_code"};
    const char *a = attrs[take(in, 1) % 6];
    H5Adelete(f, a);
    if (take(in, 1) & 1) {
      hid_t sp = H5Screate(H5S_SCALAR);
      hid_t at = H5Acreate2(f, a, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
      long long v = (long long)(int32_t)take(in, 4);
      H5Awrite(at, H5T_NATIVE_LLONG, &v);
      H5Aclose(at);
      H5Sclose(sp);
    }
    return;
  }
  if (op == 4) {
    H5Ldelete(f, path, H5P_DEFAULT);
    return;
  }
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0)
    return;
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(sp, &n, NULL);
  size_t sz = H5Tget_size(t);
  if (n > 10000000 || sz == 0 || sz > 4096) {
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    return;
  }
  hsize_t m = n;
  if (op == 0)
    m = n ? n - 1 - take(in, 1) % n : 0; /* shorter */
  else if (op == 1)
    m = n + 1 + take(in, 1) % 4; /* longer */
  unsigned char *buf = calloc((m > n ? m : n) + 1, sz);
  if (n)
    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  H5Sclose(sp);
  H5Dclose(d);
  if (op == 2 || op == 1) { /* fuzzed values at fuzzed rows */
    for (int k = 0, edits = 1 + (int)take(in, 1) % 4; k < edits && m; k++) {
      hsize_t row = take(in, 4) % m;
      for (size_t b = 0; b < sz; b++)
        buf[row * sz + b] = (unsigned char)take(in, 1);
    }
  }
  if (op == 3) { /* the same values as another type */
    hid_t other = take(in, 1) & 1 ? H5T_IEEE_F64LE : H5T_STD_I8LE;
    replace(f, path, other, m, NULL);
  } else
    replace(f, path, t, m, buf);
  free(buf);
  H5Tclose(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *dir = fuzz_dir();
  char src[512], dst[512], results[512], cmd[1100];
  snprintf(src, sizeof src, "%s/plan.h5", dir);
  snprintf(dst, sizeof dst, "%s/fuzzed.h5", dir);
  snprintf(results, sizeof results, "%s/results.csv", dir);
  snprintf(cmd, sizeof cmd, "cp %s %s", src, dst);
  if (system(cmd) != 0)
    abort();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(dst, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0)
    abort();
  input_t in = {data, size};
  for (int k = 0; k < 8 && in.n; k++)
    edit(f, &in);
  H5Fclose(f);
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  if (psc_decode_run(dst, results, d, &dc) == 0)
    psc_decode_free(dc);
  psc_diags_free(d);
  return 0;
}
