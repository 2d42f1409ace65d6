/* batch.csv (one row per variant) and batch.h5 (the same columns plus the
 * per-unit verdicts of every variant); layout in docs/batch.md. */
#include "batch/batch_internal.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_write.h"

static void num(FILE *f, const char *fmt, double v) {
  fputc(',', f);
  if (isfinite(v))
    fprintf(f, fmt, v);
}

int psc__batch_write_csv(const void *ctx, FILE *f) {
  const psc_batch_t *b = ctx;
  int sim = b->nvariants && b->res[0].replicates > 0;
  fputs("variant,name,changes,streets_met,streets,key_met,key,district_met,"
        "district_complete_min,lower_bound_min,gap_min,residents,tubes,tests_per_person,"
        "bottleneck,bottleneck_utilisation,lab_utilisation,plate_fill,sampling_utilisation,"
        "booths_added,teams_added,instruments_added,lab_tubes_per_day_added,"
        "swabs_per_day_added",
        f);
  if (sim)
    fputs(",replicates,p_key,p_key_lo,p_key_hi,p_street,p_street_lo,p_street_hi,p_district,"
          "p_district_lo,p_district_hi,sim_tests_per_person,sim_complete_p50_min,"
          "sim_complete_p95_min,sim_missed_per_round",
          f);
  fputc('\n', f);
  for (uint32_t v = 0; v < b->nvariants; v++) {
    const psc_batch_result_t *r = &b->res[v];
    fprintf(f, "%u,", v);
    psc__csv_put_text(f, b->v_name[v]);
    fputc(',', f);
    psc__csv_put_text(f, b->v_changes[v]);
    fprintf(f, ",%u,%u,%u,%u,%u", r->streets_met, r->streets, r->keys_met, r->keys,
            r->district_met);
    num(f, "%.1f", r->district_complete);
    num(f, "%.1f", r->lower_bound);
    num(f, "%.1f", r->gap);
    fprintf(f, ",%u,%u", r->residents, r->tubes);
    num(f, "%.5f", r->tests_per_person);
    fprintf(f, ",%s", r->bottleneck);
    num(f, "%.4f", r->bottleneck_util);
    num(f, "%.4f", r->lab_util);
    num(f, "%.4f", r->lab_fill);
    num(f, "%.4f", r->sampling_util);
    fprintf(f, ",%lld,%lld,%lld", (long long)r->booths_added, (long long)r->teams_added,
            (long long)r->instruments_added);
    num(f, "%.0f", r->lab_tubes_per_day_added);
    num(f, "%.0f", r->swabs_per_day_added);
    if (sim) {
      fprintf(f, ",%u", r->replicates);
      for (int l = 0; l < 3; l++) {
        num(f, "%.4f", r->p_met[l]);
        num(f, "%.4f", r->p_lo[l]);
        num(f, "%.4f", r->p_hi[l]);
      }
      num(f, "%.5f", r->sim_tests_per_person);
      num(f, "%.1f", r->sim_complete_p50);
      num(f, "%.1f", r->sim_complete_p95);
      num(f, "%.3f", r->sim_missed);
    }
    fputc('\n', f);
  }
  return 0;
}

/* ---- batch.h5 ------------------------------------------------------------ */

typedef struct {
  int err;
} h5c_t;

static hid_t str_type(size_t width) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, width ? width : 1);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

static void attr_text(h5c_t *c, hid_t obj, const char *name, const char *value) {
  hid_t t = str_type(strlen(value));
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, t, value) < 0)
    c->err = 1;
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

/* A fixed-width UTF-8 string column from n strings. */
static void strings(h5c_t *c, hid_t g, const char *name, char *const *v, uint32_t n) {
  size_t w = 1;
  for (uint32_t i = 0; i < n; i++)
    w = strlen(v[i]) > w ? strlen(v[i]) : w;
  char *buf = psc__calloc((size_t)n, w);
  if (!buf) {
    c->err = 1;
    return;
  }
  for (uint32_t i = 0; i < n; i++)
    memcpy(buf + (size_t)i * w, v[i], strlen(v[i]));
  hid_t t = str_type(w);
  c->err |= psc__h5_put(g, name, t, t, buf, n);
  H5Tclose(t);
  free(buf);
}

static void f64(h5c_t *c, hid_t g, const char *name, const double *v, uint32_t n) {
  c->err |= psc__h5_put(g, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, n);
}

static void u32(h5c_t *c, hid_t g, const char *name, const uint32_t *v, uint32_t n) {
  c->err |= psc__h5_put(g, name, H5T_NATIVE_UINT32, H5T_STD_U32LE, v, n);
}

static void i64(h5c_t *c, hid_t g, const char *name, const int64_t *v, uint32_t n) {
  c->err |= psc__h5_put(g, name, H5T_NATIVE_INT64, H5T_STD_I64LE, v, n);
}

/* A variants x units matrix. */
static void matrix(h5c_t *c, hid_t g, const char *name, hid_t mem, hid_t file, const void *v,
                   hsize_t rows, hsize_t cols) {
  hsize_t dims[2] = {rows, cols};
  hid_t sp = H5Screate_simple(2, dims, NULL);
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(p, 0);
  hid_t d = H5Dcreate2(g, name, file, sp, H5P_DEFAULT, p, H5P_DEFAULT);
  if (d < 0 || (rows * cols > 0 && H5Dwrite(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0))
    c->err = 1;
  H5Dclose(d);
  H5Pclose(p);
  H5Sclose(sp);
}

/* One numeric field of every result as a column. */
#define RES_COL(type, field, n)                                                                  \
  do {                                                                                           \
    for (uint32_t v_ = 0; v_ < b->nvariants; v_++)                                              \
      col_##type[v_] = (b->res[v_].field);                                                       \
    type(c, g, n, col_##type, b->nvariants);                                                     \
  } while (0)

static void variants_group(h5c_t *c, hid_t f, const psc_batch_t *b) {
  hid_t g = psc__h5_group(f, "variants");
  uint32_t n = b->nvariants;
  double *col_f64 = psc__calloc(n, sizeof(double));
  uint32_t *col_u32 = psc__calloc(n, sizeof(uint32_t));
  int64_t *col_i64 = psc__calloc(n, sizeof(int64_t));
  char **bn = psc__calloc(n, sizeof(char *));
  if (g < 0 || !col_f64 || !col_u32 || !col_i64 || !bn) {
    c->err = 1;
  } else {
    strings(c, g, "name", b->v_name, n);
    strings(c, g, "changes", b->v_changes, n);
    RES_COL(u32, streets_met, "streets_met");
    RES_COL(u32, streets, "streets");
    RES_COL(u32, keys_met, "key_met");
    RES_COL(u32, keys, "key");
    RES_COL(u32, district_met, "district_met");
    RES_COL(f64, district_complete, "district_complete_min");
    RES_COL(f64, lower_bound, "lower_bound_min");
    RES_COL(f64, gap, "gap_min");
    RES_COL(u32, residents, "residents");
    RES_COL(u32, tubes, "tubes");
    RES_COL(f64, tests_per_person, "tests_per_person");
    for (uint32_t v = 0; v < n; v++)
      bn[v] = (char *)b->res[v].bottleneck;
    strings(c, g, "bottleneck", bn, n);
    RES_COL(f64, bottleneck_util, "bottleneck_utilisation");
    RES_COL(f64, lab_util, "lab_utilisation");
    RES_COL(f64, lab_fill, "plate_fill");
    RES_COL(f64, sampling_util, "sampling_utilisation");
    RES_COL(i64, booths_added, "booths_added");
    RES_COL(i64, teams_added, "teams_added");
    RES_COL(i64, instruments_added, "instruments_added");
    RES_COL(f64, lab_tubes_per_day_added, "lab_tubes_per_day_added");
    RES_COL(f64, swabs_per_day_added, "swabs_per_day_added");
    if (n && b->res[0].replicates) {
      static const char *lv[3] = {"key", "street", "district"};
      char name[64];
      for (int l = 0; l < 3; l++) {
        snprintf(name, sizeof name, "p_%s", lv[l]);
        RES_COL(f64, p_met[l], name);
        snprintf(name, sizeof name, "p_%s_lo", lv[l]);
        RES_COL(f64, p_lo[l], name);
        snprintf(name, sizeof name, "p_%s_hi", lv[l]);
        RES_COL(f64, p_hi[l], name);
      }
      RES_COL(f64, sim_tests_per_person, "sim_tests_per_person");
      RES_COL(f64, sim_complete_p50, "sim_complete_p50_min");
      RES_COL(f64, sim_complete_p95, "sim_complete_p95_min");
      RES_COL(f64, sim_missed, "sim_missed_per_round");
    }
  }
  /* the variant's name names every row (h5py: g["gap_min"].dims[0][0]) */
  if (!c->err && psc__h5_scale_rows(g, "name", "variant"))
    c->err = 1;
  free(col_f64);
  free(col_u32);
  free(col_i64);
  free(bn);
  H5Gclose(g);
}

static void units_group(h5c_t *c, hid_t f, const psc_batch_t *b) {
  const psc_scenario_t *s = b->base_s;
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  uint32_t n = b->nunits;
  hid_t g = psc__h5_group(f, "units");
  uint8_t *level = psc__calloc(n, 1);
  char **id = psc__calloc(n, sizeof(char *)), **name = psc__calloc(n, sizeof(char *));
  if (g < 0 || !level || !id || !name) {
    c->err = 1;
  } else {
    for (uint32_t u = 0; u < n; u++) {
      if (u < cm->count) {
        level[u] = cm->key[u] ? 0 : 3; /* 3: an ordinary community */
        id[u] = cm->id[u];
        name[u] = cm->name[u];
      } else if (u + 1 < n) {
        level[u] = 1;
        id[u] = name[u] = sv->name[u - cm->count];
      } else {
        level[u] = 2;
        id[u] = name[u] = "district";
      }
    }
    c->err |= psc__h5_put(g, "level", H5T_NATIVE_UINT8, H5T_STD_U8LE, level, n);
    strings(c, g, "id", id, n);
    strings(c, g, "name", name, n);
    if (!c->err && psc__h5_scale_rows(g, "id", "unit"))
      c->err = 1;
  }
  free(level);
  free(id);
  free(name);
  H5Gclose(g);
  g = psc__h5_group(f, "verdicts");
  if (g < 0) {
    c->err = 1;
    return;
  }
  matrix(c, g, "complete_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, b->u_complete, b->nvariants, n);
  matrix(c, g, "slack_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, b->u_slack, b->nvariants, n);
  matrix(c, g, "bound_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, b->u_bound, b->nvariants, n);
  matrix(c, g, "met", H5T_NATIVE_UINT8, H5T_STD_U8LE, b->u_met, b->nvariants, n);
  /* rows: variants, columns: units, each named by its scale */
  static const char *const M[] = {"complete_min", "slack_min", "bound_min", "met"};
  for (size_t k = 0; !c->err && k < sizeof M / sizeof M[0]; k++)
    c->err = psc__h5_attach(g, M[k], 0, f, "/variants/name", "variant") ||
             psc__h5_attach(g, M[k], 1, f, "/units/id", "unit");
  H5Gclose(g);
}

int psc__batch_write_h5(const void *ctx, const char *path) {
  const psc_batch_t *b = ctx;
  H5E_auto2_t old_fn;
  void *old_data;
  H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    return PSC_EIO;
  }
  h5c_t c = {0};
  attr_text(&c, f, "format", "poolscreen batch 1");
  attr_text(&c, f, "poolscreen_version", psc_version());
  attr_text(&c, f, "batch_file", b->path);
  attr_text(&c, f, "scenario_path", psc_scenario_path(b->base_s));
  uint32_t reps = b->nvariants ? b->res[0].replicates : 0;
  uint64_t seed = psc_scenario_params(b->base_s)->seed; /* variants may change it */
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, "replicates", H5T_STD_U32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, H5T_NATIVE_UINT32, &reps) < 0)
    c.err = 1;
  H5Aclose(a);
  a = H5Acreate2(f, "base_seed", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &seed) < 0)
    c.err = 1;
  H5Aclose(a);
  H5Sclose(sp);
  variants_group(&c, f, b);
  units_group(&c, f, b);
  if (H5Fclose(f) < 0)
    c.err = 1;
  H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
  return c.err ? PSC_EHDF5 : 0;
}
