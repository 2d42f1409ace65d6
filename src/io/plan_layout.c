/* plan.h5's layout, described once, and the defensive checks made from it
 * (see plan_layout.h and docs/output.md). */
#include "io/plan_layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_read.h"

#define MIN "minutes after T0"
#define CLK "minutes after local midnight"
#define V(grp, len)                                                                        \
  {grp, "residents", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL, NULL},                            \
      {grp, "tubes", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL, NULL},                            \
      {grp, "exceptions", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL, NULL},                       \
      {grp, "met", PSC__L_U32, len, PSC__T_NONE, 1, 0, NULL, NULL},                              \
      {grp, "sampling_start_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN, NULL},                \
      {grp, "sampling_end_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN, NULL},                  \
      {grp, "complete_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN, NULL},                      \
      {grp, "deadline_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN, NULL},                      \
      {grp, "slack_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, "minutes", NULL}

static const char *const STREAMS[] = {"walk_in", "high_risk", "door_to_door"};
static const char *const TUBE_KINDS[] = {"pool", "array_row", "array_column"};
static const char *const SITE_KINDS[] = {"fixed", "community", "temporary", "door_to_door"};
static const char *const EXCEPTIONS[] = {"none", "no_door_to_door_team"};

/* The first dataset of each group defines its table's row count. */
const psc__layout_t PSC__PLAN_LAYOUT[] = {
    {"residents", "id", PSC__L_STR, PSC__T_RESIDENTS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"residents", "household", PSC__L_U32, PSC__T_RESIDENTS, PSC__T_HOUSEHOLDS, 0, 0, NULL, NULL},
    {"residents", "community", PSC__L_U32, PSC__T_RESIDENTS, PSC__T_COMMUNITIES, 0, 0, NULL, NULL},
    {"residents", "tube", PSC__L_I32, PSC__T_RESIDENTS, PSC__T_TUBES, 0, PSC__L_MINUS1, NULL, NULL},
    {"residents", "tube2", PSC__L_I32, PSC__T_RESIDENTS, PSC__T_TUBES, 0,
     PSC__L_MINUS1 | PSC__L_OPTIONAL, NULL, NULL},
    {"residents", "exception", PSC__L_U8, PSC__T_RESIDENTS, PSC__T_NONE, 1, 0, NULL, EXCEPTIONS},
    {"households", "id", PSC__L_STR, PSC__T_HOUSEHOLDS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"households", "community", PSC__L_U32, PSC__T_HOUSEHOLDS, PSC__T_COMMUNITIES, 0, 0, NULL, NULL},
    {"tubes", "id", PSC__L_STR, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"tubes", "community", PSC__L_U32, PSC__T_TUBES, PSC__T_COMMUNITIES, 0, 0, NULL, NULL},
    {"tubes", "site", PSC__L_U32, PSC__T_TUBES, PSC__T_SITES, 0, 0, NULL, NULL},
    {"tubes", "stream", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 2, 0, NULL, STREAMS},
    {"tubes", "tier", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 1, 0, NULL, NULL},
    {"tubes", "swabs", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"tubes", "kind", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 2, 0, NULL, TUBE_KINDS},
    {"tubes", "array", PSC__L_I32, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"tubes", "first_swab", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"tubes", "sealed", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"tubes", "departed", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"tubes", "arrived", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"tubes", "lab", PSC__L_U32, PSC__T_TUBES, PSC__T_LABS, 0, 0, NULL, NULL},
    {"tubes", "run", PSC__L_U32, PSC__T_TUBES, PSC__T_RUNS, 0, 0, NULL, NULL},
    {"tubes", "run_start", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"tubes", "reported", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN, NULL},
    {"communities", "id", PSC__L_STR, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"communities", "name", PSC__L_STR, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"communities", "street", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_STREETS, 0, 0, NULL, NULL},
    {"communities", "key", PSC__L_U8, PSC__T_COMMUNITIES, PSC__T_NONE, 1, 0, NULL, NULL},
    {"communities", "households", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"communities", "door_to_door", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"communities", "high_risk", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"communities", "x_km", PSC__L_F64, PSC__T_COMMUNITIES, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    {"communities", "y_km", PSC__L_F64, PSC__T_COMMUNITIES, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    V("communities", PSC__T_COMMUNITIES),
    {"streets", "name", PSC__L_STR, PSC__T_STREETS, PSC__T_NONE, 0, 0, NULL, NULL},
    V("streets", PSC__T_STREETS),
    {"streets", "wave_order", PSC__L_U32, PSC__T_STREETS, PSC__T_STREETS, 0, 0, NULL, NULL},
    V("district", PSC__T_DISTRICT),
    {"sites", "id", PSC__L_STR, PSC__T_SITES, PSC__T_NONE, 0, 0, NULL, NULL},
    {"sites", "street", PSC__L_U32, PSC__T_SITES, PSC__T_STREETS, 0, 0, NULL, NULL},
    {"sites", "kind", PSC__L_U8, PSC__T_SITES, PSC__T_NONE, 3, 0, NULL, SITE_KINDS},
    {"sites", "booths", PSC__L_U32, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL, NULL},
    {"sites", "rate", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_POSITIVE,
     "per booth-hour", NULL},
    {"sites", "open_min", PSC__L_I32, PSC__T_SITES, PSC__T_NONE, 0, 0, CLK, NULL},
    {"sites", "close_min", PSC__L_I32, PSC__T_SITES, PSC__T_NONE, 0, 0, CLK, NULL},
    {"sites", "x_km", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    {"sites", "y_km", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    {"labs", "id", PSC__L_STR, PSC__T_LABS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"labs", "name", PSC__L_STR, PSC__T_LABS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"labs", "instruments", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL, NULL},
    {"labs", "wells_per_run", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL, NULL},
    {"labs", "run_minutes", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL, NULL},
    {"labs", "open_min", PSC__L_I32, PSC__T_LABS, PSC__T_NONE, 0, 0, CLK, NULL},
    {"labs", "close_min", PSC__L_I32, PSC__T_LABS, PSC__T_NONE, 0, 0, CLK, NULL},
    {"labs", "x_km", PSC__L_F64, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    {"labs", "y_km", PSC__L_F64, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_FINITE, "km", NULL},
    {"site_schedule", "site", PSC__L_U32, PSC__T_SESSIONS, PSC__T_SITES, 0, 0, NULL, NULL},
    {"site_schedule", "community", PSC__L_U32, PSC__T_SESSIONS, PSC__T_COMMUNITIES, 0, 0, NULL, NULL},
    {"site_schedule", "stream", PSC__L_U8, PSC__T_SESSIONS, PSC__T_NONE, 2, 0, NULL, STREAMS},
    {"site_schedule", "start", PSC__L_F64, PSC__T_SESSIONS, PSC__T_NONE, 0, PSC__L_FINITE, MIN, NULL},
    {"site_schedule", "end", PSC__L_F64, PSC__T_SESSIONS, PSC__T_NONE, 0, PSC__L_FINITE, MIN, NULL},
    {"site_schedule", "residents", PSC__L_U32, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"site_schedule", "tubes", PSC__L_U32, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"site_schedule", "tube_first", PSC__L_U32, PSC__T_SESSIONS1, PSC__T_TUBES, 0, PSC__L_OFFSETS,
     NULL, NULL},
    {"site_schedule", "tube_list", PSC__L_U32, PSC__T_TUBES, PSC__T_TUBES, 0, 0, NULL, NULL},
    {"lab_runs", "lab", PSC__L_U32, PSC__T_RUNS, PSC__T_LABS, 0, 0, NULL, NULL},
    {"lab_runs", "instrument", PSC__L_U32, PSC__T_RUNS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"lab_runs", "tubes", PSC__L_U32, PSC__T_RUNS, PSC__T_NONE, 0, 0, NULL, NULL},
    {"lab_runs", "start", PSC__L_F64, PSC__T_RUNS, PSC__T_NONE, 0, PSC__L_FINITE, MIN, NULL},
    {"lab_runs", "end", PSC__L_F64, PSC__T_RUNS, PSC__T_NONE, 0, PSC__L_FINITE, MIN, NULL},
    {"site_labs", "site", PSC__L_U32, PSC__T_SITE_LABS, PSC__T_SITES, 0, PSC__L_OPTIONAL, NULL,
     NULL},
    {"site_labs", "lab", PSC__L_U32, PSC__T_SITE_LABS, PSC__T_LABS, 0, PSC__L_OPTIONAL, NULL, NULL},
    {"site_labs", "minutes", PSC__L_F64, PSC__T_SITE_LABS, PSC__T_NONE, 0,
     PSC__L_OPTIONAL | PSC__L_FINITE, "minutes", NULL},
};
const size_t PSC__PLAN_LAYOUT_COUNT = sizeof PSC__PLAN_LAYOUT / sizeof PSC__PLAN_LAYOUT[0];

static const char *TABLE_GROUP[PSC__T_COUNT] = {
    "residents", "households", "tubes",         "communities", "streets",   "district",
    "sites",     "labs",       "site_schedule", "lab_runs",    "site_schedule", "site_labs"};

const psc__layout_t *psc__layout_find(const char *group, const char *name) {
  for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT; i++)
    if (!strcmp(PSC__PLAN_LAYOUT[i].group, group) && !strcmp(PSC__PLAN_LAYOUT[i].name, name))
      return &PSC__PLAN_LAYOUT[i];
  return NULL;
}

hid_t psc__layout_file_type(psc__ltype_t t) {
  switch (t) {
  case PSC__L_U8:
    return H5T_STD_U8LE;
  case PSC__L_U32:
    return H5T_STD_U32LE;
  case PSC__L_I32:
    return H5T_STD_I32LE;
  case PSC__L_F64:
    return H5T_IEEE_F64LE;
  default:
    return -1;
  }
}

hid_t psc__layout_type(const psc__layout_t *l) {
  if (!l->names)
    return psc__layout_file_type(l->type);
  hid_t t = H5Tenum_create(H5T_STD_U8LE);
  for (uint32_t v = 0; v <= l->max; v++) {
    uint8_t code = (uint8_t)v;
    H5Tenum_insert(t, l->names[v], &code);
  }
  return t;
}

static hid_t mem_type(psc__ltype_t t) {
  switch (t) {
  case PSC__L_U8:
    return H5T_NATIVE_UINT8;
  case PSC__L_U32:
    return H5T_NATIVE_UINT32;
  case PSC__L_I32:
    return H5T_NATIVE_INT32;
  default:
    return H5T_NATIVE_DOUBLE;
  }
}

static size_t elem_size(psc__ltype_t t) {
  return t == PSC__L_U8 ? 1 : t == PSC__L_F64 ? 8 : 4;
}

static void fail(psc__plan_file_t *pf, const psc__layout_t *l, const char *what) {
  psc__error(pf->d, pf->path, 1, 1, "dataset /%s/%s %s", l->group, l->name, what);
  pf->bad = 1;
}

/* The dataset of an entry, checked: present, 1-D, of its class, of its
 * table's length. -1 (reported) when not; -2 when optional and absent. */
static hid_t open_checked(psc__plan_file_t *pf, const psc__layout_t *l, hsize_t *len) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", l->group, l->name);
  hid_t d = H5Dopen2(pf->f, path, H5P_DEFAULT);
  if (d < 0) {
    if (l->flags & PSC__L_OPTIONAL)
      return -2;
    fail(pf, l, "is missing");
    return -1;
  }
  hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
  int rank = H5Sget_simple_extent_ndims(sp);
  *len = 0;
  if (rank == 1)
    H5Sget_simple_extent_dims(sp, len, NULL);
  H5T_class_t cls = H5Tget_class(t);
  int ok_class = l->type == PSC__L_STR   ? cls == H5T_STRING && !H5Tis_variable_str(t)
                 : l->type == PSC__L_F64 ? cls == H5T_FLOAT
                 : l->names              ? (cls == H5T_ENUM || cls == H5T_INTEGER) &&
                                  H5Tget_size(t) == 1
                                         : cls == H5T_INTEGER;
  H5Tclose(t);
  H5Sclose(sp);
  char msg[160];
  if (rank != 1)
    fail(pf, l, "is not one-dimensional");
  else if (!ok_class)
    fail(pf, l, l->type == PSC__L_STR ? "is not a fixed-length string column"
                : l->type == PSC__L_F64 ? "is not a floating-point column"
                                        : "is not an integer column");
  else if (*len != pf->count[l->length]) {
    snprintf(msg, sizeof msg, "has %llu rows; /%s has %u", (unsigned long long)*len,
             TABLE_GROUP[l->length], pf->count[l->length]);
    fail(pf, l, msg);
  } else
    return d;
  H5Dclose(d);
  return -1;
}

int psc__layout_check(psc__plan_file_t *pf) {
  char fmt[64] = "";
  long long ver = 0;
  if (psc__h5_attr_text(pf->f, "format", fmt, sizeof fmt) != 0 ||
      strcmp(fmt, PSC__PLAN_FORMAT) != 0) {
    psc__error(pf->d, pf->path, 1, 1,
               "not a poolscreen plan file of this version (format attribute '%s', expected "
               "'%s' version %d)",
               fmt, PSC__PLAN_FORMAT, PSC__PLAN_FORMAT_VERSION);
    return PSC_EINPUT;
  }
  if (psc__h5_attr_i64(pf->f, "format_version", &ver) != 0 || ver < 1 ||
      ver > PSC__PLAN_FORMAT_VERSION) {
    psc__error(pf->d, pf->path, 1, 1,
               "plan format version %lld is not one this poolscreen reads (1 to %d)", ver,
               PSC__PLAN_FORMAT_VERSION);
    return PSC_EINPUT;
  }
  /* each table's row count from the first dataset of its group */
  for (int t = 0; t < PSC__T_COUNT; t++) {
    if (t == PSC__T_SESSIONS1)
      continue;
    for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT; i++) {
      if (strcmp(PSC__PLAN_LAYOUT[i].group, TABLE_GROUP[t]) != 0)
        continue;
      char path[128];
      snprintf(path, sizeof path, "%s/%s", PSC__PLAN_LAYOUT[i].group, PSC__PLAN_LAYOUT[i].name);
      if (psc__h5_length(pf->f, path, &pf->count[t]) != 0) {
        pf->count[t] = 0;
        if (PSC__PLAN_LAYOUT[i].flags & PSC__L_OPTIONAL)
          break; /* an optional group: no rows */
        fail(pf, &PSC__PLAN_LAYOUT[i], "is missing or not a column");
        return PSC_EINPUT;
      }
      break;
    }
  }
  pf->count[PSC__T_SESSIONS1] = pf->count[PSC__T_SESSIONS] + 1;
  if (pf->count[PSC__T_DISTRICT] != 1) {
    psc__error(pf->d, pf->path, 1, 1, "group /district has %u rows, not 1",
               pf->count[PSC__T_DISTRICT]);
    return PSC_EINPUT;
  }
  if (pf->count[PSC__T_SESSIONS] == UINT32_MAX) {
    psc__error(pf->d, pf->path, 1, 1, "group /site_schedule is too long");
    return PSC_EINPUT;
  }
  for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT; i++) {
    hsize_t len;
    hid_t d = open_checked(pf, &PSC__PLAN_LAYOUT[i], &len);
    if (d >= 0)
      H5Dclose(d);
  }
  return pf->bad ? PSC_EINPUT : 0;
}

int psc__layout_check_rest(psc__plan_file_t *pf) {
  /* the values of every checked column but the per-resident and
   * per-household ones, which are checked as they are read (a 25 million
   * resident plan is not read twice) */
  for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT && !pf->bad; i++) {
    const psc__layout_t *l = &PSC__PLAN_LAYOUT[i];
    if (pf->read[i] || l->length == PSC__T_RESIDENTS || l->length == PSC__T_HOUSEHOLDS ||
        (l->index == PSC__T_NONE && !l->max &&
         !(l->flags & (PSC__L_POSITIVE | PSC__L_OFFSETS | PSC__L_FINITE))))
      continue;
    uint32_t n;
    free(psc__layout_read(pf, l->group, l->name, &n));
  }
  return pf->bad ? PSC_EINPUT : 0;
}

/* The largest of v[k] + add (unsigned, wrapping) over a column, in four
 * independent running maxima (one would wait on the previous comparison
 * at every row). */
static uint32_t max_u32(const uint32_t *v, uint32_t n, uint32_t add) {
  uint32_t m0 = 0, m1 = 0, m2 = 0, m3 = 0, k = 0;
  for (; k + 4 <= n; k += 4) {
    uint32_t x0 = v[k] + add, x1 = v[k + 1] + add, x2 = v[k + 2] + add, x3 = v[k + 3] + add;
    m0 = x0 > m0 ? x0 : m0;
    m1 = x1 > m1 ? x1 : m1;
    m2 = x2 > m2 ? x2 : m2;
    m3 = x3 > m3 ? x3 : m3;
  }
  for (; k < n; k++)
    m0 = v[k] + add > m0 ? v[k] + add : m0;
  m0 = m1 > m0 ? m1 : m0;
  m2 = m3 > m2 ? m3 : m2;
  return m2 > m0 ? m2 : m0;
}

static uint8_t max_u8(const uint8_t *v, uint32_t n) {
  uint8_t m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  uint32_t k = 0;
  for (; k + 4 <= n; k += 4) {
    m0 = v[k] > m0 ? v[k] : m0;
    m1 = v[k + 1] > m1 ? v[k + 1] : m1;
    m2 = v[k + 2] > m2 ? v[k + 2] : m2;
    m3 = v[k + 3] > m3 ? v[k + 3] : m3;
  }
  for (; k < n; k++)
    m0 = v[k] > m0 ? v[k] : m0;
  m0 = m1 > m0 ? m1 : m0;
  m2 = m3 > m2 ? m3 : m2;
  return m2 > m0 ? m2 : m0;
}

/* Checks values of an entry; 0 or -1 (reported). */
static int check_values(psc__plan_file_t *pf, const psc__layout_t *l, const void *buf,
                        uint32_t n) {
  if (l->index == PSC__T_NONE && !l->max && !l->flags)
    return 0; /* nothing to check (times, counts) */
  /* the common cases first, in one pass without conversions: an index
   * column of u32 or i32 with every value in range (a negative i32 is a
   * large u32; -1, where allowed, is 0 once 1 is added), a code column of
   * u8 with every code valid; otherwise the pass below finds and reports
   * the first bad row */
  if (l->index != PSC__T_NONE && !(l->flags & PSC__L_OFFSETS) && !l->max &&
      (l->type == PSC__L_U32 || l->type == PSC__L_I32)) {
    uint32_t lim = pf->count[l->index];
    int ok;
    if (l->type == PSC__L_I32 && (l->flags & PSC__L_MINUS1))
      ok = max_u32(buf, n, 1) <= lim;
    else
      ok = !n || max_u32(buf, n, 0) < lim;
    if (ok)
      return 0;
  }
  if (l->type == PSC__L_U8 && l->max && l->index == PSC__T_NONE && !l->flags &&
      max_u8(buf, n) <= l->max)
    return 0;
  char msg[200];
  uint64_t lim = l->index != PSC__T_NONE ? pf->count[l->index] : 0;
  double prev = 0;
  for (uint32_t k = 0; k < n; k++) {
    double x;
    switch (l->type) {
    case PSC__L_U8:
      x = ((const uint8_t *)buf)[k];
      break;
    case PSC__L_U32:
      x = ((const uint32_t *)buf)[k];
      break;
    case PSC__L_I32:
      x = ((const int32_t *)buf)[k];
      break;
    default:
      x = ((const double *)buf)[k];
    }
    const char *why = NULL;
    if (l->flags & PSC__L_OFFSETS) {
      if (x < prev || x > (double)lim || (k == 0 && x != 0) || (k == n - 1 && x != (double)lim))
        why = "is not an offset into";
      prev = x;
    } else if (l->index != PSC__T_NONE &&
               !(x >= 0 && x < (double)lim) && !(x == -1 && (l->flags & PSC__L_MINUS1)))
      why = "is not a row of";
    if (why) {
      snprintf(msg, sizeof msg, "row %u: %.0f %s /%s (%llu rows)", k, x, why,
               TABLE_GROUP[l->index], (unsigned long long)lim);
      fail(pf, l, msg);
      return -1;
    }
    if (l->max && x > l->max) {
      snprintf(msg, sizeof msg, "row %u: %.0f is not a valid code (0 to %u)", k, x, l->max);
      fail(pf, l, msg);
      return -1;
    }
    if ((l->flags & PSC__L_FINITE) && !isfinite(x)) {
      snprintf(msg, sizeof msg, "row %u: %g is not a finite number", k, x);
      fail(pf, l, msg);
      return -1;
    }
    if ((l->flags & PSC__L_POSITIVE) && !(x > 0 && isfinite(x))) {
      snprintf(msg, sizeof msg, "row %u: %g is not positive", k, x);
      fail(pf, l, msg);
      return -1;
    }
  }
  return 0;
}

void *psc__layout_read(psc__plan_file_t *pf, const char *group, const char *name, uint32_t *n) {
  const psc__layout_t *l = psc__layout_find(group, name);
  *n = 0;
  if (!l || l->type == PSC__L_STR)
    return NULL;
  hsize_t len;
  hid_t d = open_checked(pf, l, &len);
  if (d < 0)
    return NULL;
  void *buf = psc__malloc(len ? len : 1, elem_size(l->type));
  /* an enum of one byte is read as its codes, in its own type (HDF5 does
   * not convert enums to integers) */
  hid_t ft = H5Dget_type(d);
  hid_t mt = H5Tget_class(ft) == H5T_ENUM ? H5Tget_native_type(ft, H5T_DIR_ASCEND)
                                           : H5Tcopy(mem_type(l->type));
  H5Tclose(ft);
  if (buf && len && psc__h5_read_all(d, mt, len, buf) < 0) {
    fail(pf, l, "cannot be read");
    free(buf);
    buf = NULL;
  }
  H5Tclose(mt);
  H5Dclose(d);
  if (buf && check_values(pf, l, buf, (uint32_t)len) != 0) {
    free(buf);
    return NULL;
  }
  if (buf) {
    *n = (uint32_t)len;
    pf->read[l - PSC__PLAN_LAYOUT] = 1;
  }
  return buf;
}

int psc__layout_check_u32(psc__plan_file_t *pf, const char *group, const char *name,
                          const uint32_t *v, uint32_t n) {
  const psc__layout_t *l = psc__layout_find(group, name);
  return l && l->type == PSC__L_U32 ? check_values(pf, l, v, n) : -1;
}
