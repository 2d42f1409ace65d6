/* plan.h5: the whole plan in one HDF5 file, one dataset per column so that
 * h5py and pandas read it directly (layout in docs/output.md). Large string
 * columns are formatted in parallel and written in chunks of rows. */
#include "plan/plan_internal.h"

#include <hdf5.h>

#include "io/h5_write.h"
#include "io/plan_layout.h"
#include <omp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_ROWS (1u << 20)

typedef struct {
  int err;
  const char *group; /* the group being written, for the layout table */
  int threads;       /* for the compression of large columns (0: the runtime's) */
  const psc_plan_t *p;
} h5ctx_t;

/* The team for the next column: one thread fewer while a background advice
 * is made on another core (plan/stages.c). */
static int team(h5ctx_t *c) {
  int n = psc__writer_threads(c->p, c->threads);
  omp_set_num_threads(n);
  return n;
}

/* The layout entry of a dataset of the current group: every dataset the
 * writer makes must be in the table (io/plan_layout.c), of its type. */
static const psc__layout_t *entry(h5ctx_t *c, const char *name, int string) {
  const psc__layout_t *l = c->group ? psc__layout_find(c->group, name) : NULL;
  if (!l || (l->type == PSC__L_STR) != string)
    c->err = 1;
  return c->err ? NULL : l;
}

static hid_t str_type(size_t width) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, width ? width : 1);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

/* A text attribute as a variable-length UTF-8 string: h5py returns it as a
 * Python str (fixed-length ones come back as bytes). */
static void attr_text(h5ctx_t *c, hid_t obj, const char *name, const char *value) {
  if (!value)
    value = "";
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, t, &value) < 0)
    c->err = 1;
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

static void attr_num(h5ctx_t *c, hid_t obj, const char *name, hid_t mem, hid_t file,
                     const void *v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, file, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, mem, v) < 0)
    c->err = 1;
  H5Aclose(a);
  H5Sclose(sp);
}

static void attr_f64(h5ctx_t *c, hid_t obj, const char *name, double v) {
  attr_num(c, obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &v);
}

static void attr_i64(h5ctx_t *c, hid_t obj, const char *name, long long v) {
  attr_num(c, obj, name, H5T_NATIVE_LLONG, H5T_STD_I64LE, &v);
}

/* A whole column from memory as mem; its file type and units are the
 * layout table's (file and units are the caller's expectation, checked). */
static void column(h5ctx_t *c, hid_t g, const char *name, hid_t mem, hid_t file,
                   const void *data, hsize_t n, const char *units) {
  const psc__layout_t *l = entry(c, name, 0);
  (void)units; /* the table's units are written */
  if (!l || H5Tequal(file, psc__layout_file_type(l->type)) <= 0) {
    c->err = 1;
    return;
  }
  /* codes are stored as HDF5 enums of the table's names */
  hid_t ft = psc__layout_type(l);
  team(c);
  hid_t d = psc__h5_column(g, name, mem, ft, data, n);
  if (l->names)
    H5Tclose(ft);
  if (d < 0)
    c->err = 1;
  if (l->units && d >= 0)
    attr_text(c, d, "units", l->units);
  H5Dclose(d);
}

#define COL_U32(g, name, data, n) column(c, g, name, H5T_NATIVE_UINT32, H5T_STD_U32LE, data, n, NULL)
#define COL_U8(g, name, data, n) column(c, g, name, H5T_NATIVE_UINT8, H5T_STD_U8LE, data, n, NULL)
#define COL_MIN(g, name, data, n)                                                          \
  column(c, g, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data, n, "minutes after T0")

/* A column computed in chunks of rows: fill(ctx, first, m, buf) writes rows
 * first .. first+m-1 into buf as memory type mem (elem bytes a row), and
 * each chunk is written as it fills, so 25 million rows never sit in memory
 * at once. */
typedef void (*fill_fn)(const void *ctx, uint32_t first, uint32_t m, void *buf);

typedef struct {
  fill_fn fill;
  const void *ctx;
} fill_adapter_t;

static int fill_rows(const void *ctx, uint64_t first, uint64_t m, void *buf) {
  const fill_adapter_t *a = ctx;
  a->fill(a->ctx, (uint32_t)first, (uint32_t)m, buf);
  return 0;
}

/* A column made chunk by chunk by fill, in the file's representation
 * (fill writes elem bytes a row), compressed in parallel. */
static void chunked(h5ctx_t *c, hid_t g, const char *name, uint32_t n, hid_t file, size_t elem,
                    fill_fn fill, const void *ctx) {
  const psc__layout_t *l = entry(c, name, H5Tget_class(file) == H5T_STRING);
  if (!l)
    return;
  fill_adapter_t a = {fill, ctx};
  hid_t d = psc__h5_column_fill(g, name, file, n, elem, fill_rows, &a, team(c));
  if (d < 0)
    c->err = 1;
  H5Dclose(d);
}

/* A string column made row by row by fmt (formatted in parallel). */
typedef int (*fmt_fn)(const void *ctx, uint32_t i, char *buf, size_t size);
typedef struct {
  fmt_fn fmt;
  const void *ctx;
  size_t width;
} str_fill_t;

/* Rows of a string column, each whole: the column is as wide as its
 * longest value (a 600-byte name is written whole, not cut at a buffer's
 * size). Chunks are filled on several threads, each with its own buffer. */
static void fill_strings(const void *ctx, uint32_t first, uint32_t m, void *out) {
  const str_fill_t *f = ctx;
  char *buf = out, *tmp = malloc(f->width + 1);
  for (uint32_t j = 0; j < m; j++) {
    char *row = buf + (size_t)j * f->width;
    memset(row, 0, f->width);
    int len = tmp ? f->fmt(f->ctx, first + j, tmp, f->width + 1) : -1;
    memcpy(row, tmp, len < 0 ? 0 : ((size_t)len < f->width ? (size_t)len : f->width));
  }
  free(tmp);
}

static void strings(h5ctx_t *c, hid_t g, const char *name, uint32_t n, size_t width, fmt_fn fmt,
                    const void *ctx) {
  str_fill_t f = {fmt, ctx, width ? width : 1};
  hid_t t = str_type(width);
  chunked(c, g, name, n, t, f.width, fill_strings, &f);
  H5Tclose(t);
}

/* A small-integer column computed row by row, stored as u8 or u32. */
typedef uint32_t (*u32_fn)(const void *ctx, uint32_t i);
typedef struct {
  u32_fn fn;
  const void *ctx;
  int bytes; /* 1 or 4 */
} u32_fill_t;

static void fill_u32(const void *ctx, uint32_t first, uint32_t m, void *out) {
  const u32_fill_t *f = ctx;
  for (uint32_t j = 0; j < m; j++) {
    uint32_t v = f->fn(f->ctx, first + j);
    if (f->bytes == 1)
      ((uint8_t *)out)[j] = (uint8_t)v;
    else
      ((uint32_t *)out)[j] = v;
  }
}

static void derived_u32(h5ctx_t *c, hid_t g, const char *name, uint32_t n, hid_t file, u32_fn fn,
                        const void *ctx) {
  u32_fill_t f = {fn, ctx, (int)H5Tget_size(file)};
  chunked(c, g, name, n, file, (size_t)f.bytes, fill_u32, &f);
}

/* "<community id><sep><n>" without printf (25 million of these add up);
 * -1 when it does not fit. */
static int id_number(const char *id, const char *sep, uint32_t n, char *buf, size_t size) {
  size_t len = strlen(id), ls = strlen(sep);
  char digits[12];
  int nd = 0;
  do {
    digits[nd++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  if (len + ls + (size_t)nd + 1 > size)
    return -1;
  memcpy(buf, id, len);
  memcpy(buf + len, sep, ls);
  for (int k = 0; k < nd; k++)
    buf[len + ls + (size_t)k] = digits[nd - 1 - k];
  buf[len + ls + (size_t)nd] = '\0';
  return (int)(len + ls + (size_t)nd);
}

static int fmt_resident(const void *ctx, uint32_t i, char *buf, size_t size) {
  const psc_scenario_t *s = ctx;
  const psc_roster_t *r = psc_scenario_roster(s);
  int n = -1;
  if (r->synthesised) {
    uint32_t c = r->hh_community[r->res_household[i]];
    n = id_number(psc_scenario_communities(s)->id[c], "-",
                  i - r->hh_first[r->comm_hh_first[c]] + 1, buf, size);
  }
  return n >= 0 ? n : psc_scenario_resident_id(s, i, buf, size);
}

static int fmt_tube(const void *ctx, uint32_t i, char *buf, size_t size) {
  return psc_plan_tube_id(ctx, i, buf, size);
}
static int fmt_strv(const void *ctx, uint32_t i, char *buf, size_t size) {
  return snprintf(buf, size, "%s", ((char *const *)ctx)[i]);
}
static int fmt_household(const void *ctx, uint32_t h, char *buf, size_t size) {
  const psc_scenario_t *s = ctx;
  const psc_roster_t *r = psc_scenario_roster(s);
  int n = -1;
  if (r->synthesised) {
    uint32_t c = r->hh_community[h];
    n = id_number(psc_scenario_communities(s)->id[c], "-H", h - r->comm_hh_first[c] + 1, buf,
                  size);
  }
  return n >= 0 ? n : psc_scenario_household_id(s, h, buf, size);
}

static uint32_t res_community(const void *ctx, uint32_t i) {
  const psc_roster_t *r = ctx;
  return r->hh_community[r->res_household[i]];
}
static uint32_t tube_key(const void *ctx, uint32_t t) {
  const psc_plan_t *p = ctx;
  return psc_scenario_communities(p->s)->key[p->pk.tube_comm[t]];
}

static size_t max_len(char *const *v, uint32_t n) {
  size_t w = 1;
  for (uint32_t i = 0; i < n; i++)
    w = strlen(v[i]) > w ? strlen(v[i]) : w;
  return w;
}

/* The group's id column as a dimension scale of its other columns (h5py:
 * g["tube"].dims[0][0] is g["id"]). */
static void scale_rows(h5ctx_t *c, hid_t g, const char *scale, const char *label) {
  if (!c->err && psc__h5_scale_rows(g, scale, label))
    c->err = 1;
}

/* Verdict columns of a group of units. */
static void verdicts(h5ctx_t *c, hid_t g, const psc_verdict_t *v, uint32_t n) {
  double *f = psc__malloc(n, 8);
  uint32_t *u = psc__malloc(n, 4);
  if (!f || !u) {
    c->err = 1;
    free(f);
    free(u);
    return;
  }
#define VCOL_U(field)                                                                      \
  for (uint32_t i = 0; i < n; i++)                                                         \
    u[i] = (uint32_t)v[i].field;                                                           \
  COL_U32(g, #field, u, n);
#define VCOL_F(field, name)                                                                \
  for (uint32_t i = 0; i < n; i++)                                                         \
    f[i] = v[i].field;                                                                     \
  COL_MIN(g, name, f, n);
  VCOL_U(residents)
  VCOL_U(tubes)
  VCOL_U(exceptions)
  VCOL_U(met)
  VCOL_F(sampling_start, "sampling_start_min")
  VCOL_F(sampling_end, "sampling_end_min")
  VCOL_F(complete, "complete_min")
  VCOL_F(deadline, "deadline_min")
  VCOL_F(slack, "slack_min")
#undef VCOL_U
#undef VCOL_F
  free(f);
  free(u);
}

static void root_attributes(h5ctx_t *c, hid_t f, const psc_plan_t *p) {
  const psc_params_t *par = psc_scenario_params(p->s);
  attr_text(c, f, "poolscreen_version", psc_version());
  attr_text(c, f, "scenario_path", psc_scenario_path(p->s));
  /* the thread count is deliberately not stored: outputs are byte-identical
   * at any thread count, and a recorded count would break that */
  /* every scenario parameter, by the parameter table */
  for (size_t i = 0; i < psc_param_count(); i++) {
    const psc_param_info_t *in = psc_param_info(i);
    char name[96];
    snprintf(name, sizeof name, "%s.%s", in->section, in->key);
    const void *fld = (const char *)par + in->offset;
    switch (in->type) {
    case PSC_PARAM_INT:
    case PSC_PARAM_POOL:
    case PSC_PARAM_BOOL:
      attr_i64(c, f, name, *(const int *)fld);
      break;
    case PSC_PARAM_UINT64:
      attr_num(c, f, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, fld);
      break;
    case PSC_PARAM_DOUBLE:
      attr_f64(c, f, name, *(const double *)fld);
      break;
    default:
      attr_text(c, f, name, *(char *const *)fld);
    }
  }
  attr_f64(c, f, "margin_hours", psc_plan_margin_hours(p));
  attr_f64(c, f, "hold", psc_plan_hold(p));
  attr_f64(c, f, "align_end_min", psc_plan_align_end(p));
  attr_text(c, f, "partner_street",
            psc_plan_partner(p) != UINT32_MAX
                ? psc_scenario_streets(p->s)->name[psc_plan_partner(p)]
                : "");
  attr_f64(c, f, "lower_bound_min", p->lower_bound);
  attr_i64(c, f, "aged_tubes", p->e.aged);
  attr_i64(c, f, "start_minute_of_day", par->start_minute_of_day);
  attr_i64(c, f, "tube_date_code", p->date_code);
  attr_text(c, f, "format", PSC__PLAN_FORMAT);
  attr_i64(c, f, "format_version", PSC__PLAN_FORMAT_VERSION);
  char id[32];
  psc_plan_identity(p, id, sizeof id);
  attr_text(c, f, "plan_identity", id);
}

int psc__plan_h5_to(const void *out, const char *path) {
  const psc_plan_t *p = ((const psc__plan_out_t *)out)->p;
  int threads = ((const psc__plan_out_t *)out)->threads;
  psc__h5_quiet_begin();
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    psc__h5_quiet_end();
    return PSC_EIO;
  }
  int saved_threads = omp_get_max_threads();
  h5ctx_t ctx = {0}, *c = &ctx;
  c->threads = threads > 0 ? threads : saved_threads;
  c->p = p;
  const psc_roster_t *r = psc_scenario_roster(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  const psc_streets_t *sv = psc_scenario_streets(p->s);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  /* made and written at once (plan/stages.c), each part waits for what it
   * reads: the residents and households for the packing only */
  int stage_rc = psc__stage_wait(p, PSC__STAGE_PACKED);
  if (stage_rc)
    goto done;

  c->group = "residents";
  hid_t g = psc__h5_group(f, "residents");
  size_t wid = 1;
  if (r->synthesised) {
    uint32_t maxpop = 1;
    for (uint32_t i = 0; i < cm->count; i++)
      maxpop = cm->population[i] > maxpop ? cm->population[i] : maxpop;
    char digits[16];
    wid = max_len(cm->id, cm->count) + 1 + (size_t)snprintf(digits, sizeof digits, "%u", maxpop);
  } else {
    char buf[512];
    for (uint32_t i = 0; i < r->residents; i++) {
      size_t n = (size_t)psc_scenario_resident_id(p->s, i, buf, sizeof buf);
      wid = n > wid ? n : wid;
    }
  }
  strings(c, g, "id", r->residents, wid, fmt_resident, p->s);
  COL_U32(g, "household", r->res_household, r->residents);
  derived_u32(c, g, "community", r->residents, H5T_STD_U32LE, res_community, r);
  /* the tube index, -1 for a resident on an exception list; for arrays the
   * row tube, and tube2 the column tube (-1 otherwise) */
  column(c, g, "tube", H5T_NATIVE_INT32, H5T_STD_I32LE, p->pk.res_tube, r->residents, NULL);
  if (p->pk.narrays) /* only array plans have column tubes */
    column(c, g, "tube2", H5T_NATIVE_INT32, H5T_STD_I32LE, p->pk.res_tube2, r->residents, NULL);
  COL_U8(g, "exception", p->pk.res_exception, r->residents);
  scale_rows(c, g, "id", "resident");
  H5Gclose(g);

  c->group = "households";
  g = psc__h5_group(f, "households");
  {
    size_t hw = wid + 1;
    if (!r->synthesised) {
      char buf[512];
      hw = 1;
      for (uint32_t h = 0; h < r->households; h++) {
        size_t n = (size_t)psc_scenario_household_id(p->s, h, buf, sizeof buf);
        hw = n > hw ? n : hw;
      }
    }
    strings(c, g, "id", r->households, hw, fmt_household, p->s);
  }
  COL_U32(g, "community", r->hh_community, r->households);
  scale_rows(c, g, "id", "household");
  H5Gclose(g);

  if ((stage_rc = psc__stage_wait(p, PSC__STAGE_PLANNED)) != 0)
    goto done;
  const psc_tubes_t *t = &p->tubes;
  c->group = "tubes";
  g = psc__h5_group(f, "tubes");
  strings(c, g, "id", t->count, PSC__TUBE_ID_LEN, fmt_tube, p);
  COL_U32(g, "community", t->community, t->count);
  COL_U32(g, "site", t->site, t->count);
  COL_U8(g, "stream", t->stream, t->count);
  derived_u32(c, g, "tier", t->count, H5T_STD_U8LE, tube_key, p);
  COL_U8(g, "swabs", t->swabs, t->count);
  COL_U8(g, "kind", p->pk.tube_kind, t->count);
  column(c, g, "array", H5T_NATIVE_INT32, H5T_STD_I32LE, p->pk.tube_group, t->count, NULL);
  COL_MIN(g, "first_swab", t->first_swab, t->count);
  COL_MIN(g, "sealed", t->sealed, t->count);
  COL_MIN(g, "departed", t->departed, t->count);
  COL_MIN(g, "arrived", t->arrived, t->count);
  COL_U32(g, "lab", t->lab, t->count);
  COL_U32(g, "run", t->run, t->count);
  COL_MIN(g, "run_start", p->e.run_start, t->count);
  COL_MIN(g, "reported", t->reported, t->count);
  scale_rows(c, g, "id", "tube");
  H5Gclose(g);

  c->group = "communities";
  g = psc__h5_group(f, "communities");
  strings(c, g, "id", cm->count, max_len(cm->id, cm->count), fmt_strv, cm->id);
  strings(c, g, "name", cm->count, max_len(cm->name, cm->count), fmt_strv, cm->name);
  COL_U32(g, "street", cm->street, cm->count);
  COL_U8(g, "key", cm->key, cm->count);
  COL_U32(g, "households", cm->households, cm->count);
  COL_U32(g, "door_to_door", cm->door_to_door, cm->count);
  COL_U32(g, "high_risk", cm->high_risk, cm->count);
  column(c, g, "x_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, cm->x_km, cm->count, "km");
  column(c, g, "y_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, cm->y_km, cm->count, "km");
  verdicts(c, g, p->e.comm, cm->count);
  scale_rows(c, g, "id", "community");
  H5Gclose(g);

  c->group = "streets";
  g = psc__h5_group(f, "streets");
  strings(c, g, "name", sv->count, max_len(sv->name, sv->count), fmt_strv, sv->name);
  verdicts(c, g, p->e.street, sv->count);
  COL_U32(g, "wave_order", p->x.street_order, sv->count);
  scale_rows(c, g, "name", "street");
  H5Gclose(g);

  c->group = "district";
  g = psc__h5_group(f, "district");
  verdicts(c, g, &p->e.district, 1);
  H5Gclose(g);

  c->group = "sites";
  g = psc__h5_group(f, "sites");
  strings(c, g, "id", st->count, max_len(st->id, st->count), fmt_strv, st->id);
  COL_U32(g, "street", st->street, st->count);
  COL_U8(g, "kind", st->kind, st->count);
  COL_U32(g, "booths", st->booths, st->count);
  column(c, g, "rate", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->rate, st->count, "per booth-hour");
  column(c, g, "open_min", H5T_NATIVE_INT32, H5T_STD_I32LE, st->open_min, st->count,
         "minutes after local midnight");
  column(c, g, "close_min", H5T_NATIVE_INT32, H5T_STD_I32LE, st->close_min, st->count,
         "minutes after local midnight");
  column(c, g, "x_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->x_km, st->count, "km");
  column(c, g, "y_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, st->y_km, st->count, "km");
  scale_rows(c, g, "id", "site");
  H5Gclose(g);

  /* each site's quickest labs, quickest first, and the travel + handover
   * minutes to each (travel.csv applied): decode routes retests by them */
  {
    uint32_t nsl = 0, *sl_site = psc__malloc((size_t)st->count * PSC__NEAR_LABS + 1, 4);
    uint32_t *sl_lab = psc__malloc((size_t)st->count * PSC__NEAR_LABS + 1, 4);
    double *sl_min = psc__malloc((size_t)st->count * PSC__NEAR_LABS + 1, 8);
    if (!sl_site || !sl_lab || !sl_min)
      c->err = 1;
    for (uint32_t i = 0; !c->err && i < st->count; i++)
      for (int j = 0; j < PSC__NEAR_LABS; j++) {
        size_t k = (size_t)i * PSC__NEAR_LABS + (size_t)j;
        if (p->x.near_lab[k] == PSC__NONE)
          break;
        sl_site[nsl] = i;
        sl_lab[nsl] = p->x.near_lab[k];
        sl_min[nsl++] = p->x.near_lab_min[k];
      }
    c->group = "site_labs";
    g = psc__h5_group(f, "site_labs");
    COL_U32(g, "site", sl_site, nsl);
    COL_U32(g, "lab", sl_lab, nsl);
    column(c, g, "minutes", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, sl_min, nsl, "minutes");
    H5Gclose(g);
    free(sl_site);
    free(sl_lab);
    free(sl_min);
  }

  c->group = "labs";
  g = psc__h5_group(f, "labs");
  strings(c, g, "id", lb->count, max_len(lb->id, lb->count), fmt_strv, lb->id);
  strings(c, g, "name", lb->count, max_len(lb->name, lb->count), fmt_strv, lb->name);
  COL_U32(g, "instruments", lb->instruments, lb->count);
  COL_U32(g, "wells_per_run", lb->wells, lb->count);
  COL_U32(g, "run_minutes", lb->run_minutes, lb->count);
  column(c, g, "open_min", H5T_NATIVE_INT32, H5T_STD_I32LE, lb->open_min, lb->count,
         "minutes after local midnight");
  column(c, g, "close_min", H5T_NATIVE_INT32, H5T_STD_I32LE, lb->close_min, lb->count,
         "minutes after local midnight");
  column(c, g, "x_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, lb->x_km, lb->count, "km");
  column(c, g, "y_km", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, lb->y_km, lb->count, "km");
  scale_rows(c, g, "id", "lab");
  H5Gclose(g);

  const psc_sessions_t *ss = &p->sessions;
  c->group = "site_schedule";
  g = psc__h5_group(f, "site_schedule");
  COL_U32(g, "site", ss->site, ss->count);
  COL_U32(g, "community", ss->community, ss->count);
  COL_U8(g, "stream", ss->stream, ss->count);
  COL_MIN(g, "start", ss->start, ss->count);
  COL_MIN(g, "end", ss->end, ss->count);
  COL_U32(g, "residents", ss->residents, ss->count);
  COL_U32(g, "tubes", ss->tubes, ss->count);
  COL_U32(g, "tube_first", p->e.ses_tube_first, ss->count + 1);
  COL_U32(g, "tube_list", p->e.ses_tube_list, t->count);
  H5Gclose(g);

  const psc_runs_t *rn = &p->runs;
  c->group = "lab_runs";
  g = psc__h5_group(f, "lab_runs");
  COL_U32(g, "lab", rn->lab, rn->count);
  COL_U32(g, "instrument", rn->instrument, rn->count);
  COL_U32(g, "tubes", rn->tubes, rn->count);
  COL_MIN(g, "start", rn->start, rn->count);
  COL_MIN(g, "end", rn->end, rn->count);
  H5Gclose(g);

  root_attributes(c, f, p);
  /* the advice last: the datasets are written while it is searched */
  if ((stage_rc = psc__stage_wait(p, PSC__STAGE_ADVISED)) == 0) {
    attr_text(c, f, "advice", p->advice.what);
    attr_i64(c, f, "advice_needed", p->advice.needed);
    attr_i64(c, f, "advice_found", p->advice.found);
    attr_f64(c, f, "advice_cost", p->advice.cost);
  }
done:
  if (H5Fclose(f) < 0)
    c->err = 1;
  omp_set_num_threads(saved_threads);
  psc__h5_quiet_end();
  return stage_rc ? stage_rc : c->err ? PSC_EHDF5 : 0;
}

int psc_plan_write_h5(const psc_plan_t *p, const char *path, int threads) {
  if (!p || !path)
    return PSC_EINVAL;
  psc__plan_out_t out = {p, threads};
  const psc__out_file_t of = {"plan.h5", NULL, psc__plan_h5_to};
  return psc__write_file(path, &of, &out);
}
