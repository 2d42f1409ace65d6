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
  {grp, "residents", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL},                            \
      {grp, "tubes", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL},                            \
      {grp, "exceptions", PSC__L_U32, len, PSC__T_NONE, 0, 0, NULL},                       \
      {grp, "met", PSC__L_U32, len, PSC__T_NONE, 1, 0, NULL},                              \
      {grp, "sampling_start_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN},                \
      {grp, "sampling_end_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN},                  \
      {grp, "complete_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN},                      \
      {grp, "deadline_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, MIN},                      \
      {grp, "slack_min", PSC__L_F64, len, PSC__T_NONE, 0, 0, "minutes"}

/* The first dataset of each group defines its table's row count. */
const psc__layout_t PSC__PLAN_LAYOUT[] = {
    {"residents", "id", PSC__L_STR, PSC__T_RESIDENTS, PSC__T_NONE, 0, 0, NULL},
    {"residents", "household", PSC__L_U32, PSC__T_RESIDENTS, PSC__T_HOUSEHOLDS, 0, 0, NULL},
    {"residents", "community", PSC__L_U32, PSC__T_RESIDENTS, PSC__T_COMMUNITIES, 0, 0, NULL},
    {"residents", "tube", PSC__L_I32, PSC__T_RESIDENTS, PSC__T_TUBES, 0, PSC__L_MINUS1, NULL},
    {"residents", "tube2", PSC__L_I32, PSC__T_RESIDENTS, PSC__T_TUBES, 0,
     PSC__L_MINUS1 | PSC__L_OPTIONAL, NULL},
    {"residents", "exception", PSC__L_U8, PSC__T_RESIDENTS, PSC__T_NONE, 1, 0, NULL},
    {"households", "id", PSC__L_STR, PSC__T_HOUSEHOLDS, PSC__T_NONE, 0, 0, NULL},
    {"households", "community", PSC__L_U32, PSC__T_HOUSEHOLDS, PSC__T_COMMUNITIES, 0, 0, NULL},
    {"tubes", "id", PSC__L_STR, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL},
    {"tubes", "community", PSC__L_U32, PSC__T_TUBES, PSC__T_COMMUNITIES, 0, 0, NULL},
    {"tubes", "site", PSC__L_U32, PSC__T_TUBES, PSC__T_SITES, 0, 0, NULL},
    {"tubes", "stream", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 2, 0, NULL},
    {"tubes", "tier", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 1, 0, NULL},
    {"tubes", "swabs", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL},
    {"tubes", "kind", PSC__L_U8, PSC__T_TUBES, PSC__T_NONE, 2, 0, NULL},
    {"tubes", "array", PSC__L_I32, PSC__T_TUBES, PSC__T_NONE, 0, 0, NULL},
    {"tubes", "first_swab", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"tubes", "sealed", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"tubes", "departed", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"tubes", "arrived", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"tubes", "lab", PSC__L_U32, PSC__T_TUBES, PSC__T_LABS, 0, 0, NULL},
    {"tubes", "run", PSC__L_U32, PSC__T_TUBES, PSC__T_RUNS, 0, 0, NULL},
    {"tubes", "run_start", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"tubes", "reported", PSC__L_F64, PSC__T_TUBES, PSC__T_NONE, 0, 0, MIN},
    {"communities", "id", PSC__L_STR, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL},
    {"communities", "name", PSC__L_STR, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL},
    {"communities", "street", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_STREETS, 0, 0, NULL},
    {"communities", "key", PSC__L_U8, PSC__T_COMMUNITIES, PSC__T_NONE, 1, 0, NULL},
    {"communities", "households", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL},
    {"communities", "door_to_door", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL},
    {"communities", "high_risk", PSC__L_U32, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, NULL},
    {"communities", "x_km", PSC__L_F64, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, "km"},
    {"communities", "y_km", PSC__L_F64, PSC__T_COMMUNITIES, PSC__T_NONE, 0, 0, "km"},
    V("communities", PSC__T_COMMUNITIES),
    {"streets", "name", PSC__L_STR, PSC__T_STREETS, PSC__T_NONE, 0, 0, NULL},
    V("streets", PSC__T_STREETS),
    {"streets", "wave_order", PSC__L_U32, PSC__T_STREETS, PSC__T_STREETS, 0, 0, NULL},
    V("district", PSC__T_DISTRICT),
    {"sites", "id", PSC__L_STR, PSC__T_SITES, PSC__T_NONE, 0, 0, NULL},
    {"sites", "street", PSC__L_U32, PSC__T_SITES, PSC__T_STREETS, 0, 0, NULL},
    {"sites", "kind", PSC__L_U8, PSC__T_SITES, PSC__T_NONE, 3, 0, NULL},
    {"sites", "booths", PSC__L_U32, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL},
    {"sites", "rate", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, PSC__L_POSITIVE,
     "per booth-hour"},
    {"sites", "open_min", PSC__L_I32, PSC__T_SITES, PSC__T_NONE, 0, 0, CLK},
    {"sites", "close_min", PSC__L_I32, PSC__T_SITES, PSC__T_NONE, 0, 0, CLK},
    {"sites", "x_km", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, 0, "km"},
    {"sites", "y_km", PSC__L_F64, PSC__T_SITES, PSC__T_NONE, 0, 0, "km"},
    {"labs", "id", PSC__L_STR, PSC__T_LABS, PSC__T_NONE, 0, 0, NULL},
    {"labs", "name", PSC__L_STR, PSC__T_LABS, PSC__T_NONE, 0, 0, NULL},
    {"labs", "instruments", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL},
    {"labs", "wells_per_run", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL},
    {"labs", "run_minutes", PSC__L_U32, PSC__T_LABS, PSC__T_NONE, 0, PSC__L_POSITIVE, NULL},
    {"labs", "open_min", PSC__L_I32, PSC__T_LABS, PSC__T_NONE, 0, 0, CLK},
    {"labs", "close_min", PSC__L_I32, PSC__T_LABS, PSC__T_NONE, 0, 0, CLK},
    {"labs", "x_km", PSC__L_F64, PSC__T_LABS, PSC__T_NONE, 0, 0, "km"},
    {"labs", "y_km", PSC__L_F64, PSC__T_LABS, PSC__T_NONE, 0, 0, "km"},
    {"site_schedule", "site", PSC__L_U32, PSC__T_SESSIONS, PSC__T_SITES, 0, 0, NULL},
    {"site_schedule", "community", PSC__L_U32, PSC__T_SESSIONS, PSC__T_COMMUNITIES, 0, 0, NULL},
    {"site_schedule", "stream", PSC__L_U8, PSC__T_SESSIONS, PSC__T_NONE, 2, 0, NULL},
    {"site_schedule", "start", PSC__L_F64, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, MIN},
    {"site_schedule", "end", PSC__L_F64, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, MIN},
    {"site_schedule", "residents", PSC__L_U32, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, NULL},
    {"site_schedule", "tubes", PSC__L_U32, PSC__T_SESSIONS, PSC__T_NONE, 0, 0, NULL},
    {"site_schedule", "tube_first", PSC__L_U32, PSC__T_SESSIONS1, PSC__T_TUBES, 0, PSC__L_OFFSETS,
     NULL},
    {"site_schedule", "tube_list", PSC__L_U32, PSC__T_TUBES, PSC__T_TUBES, 0, 0, NULL},
    {"lab_runs", "lab", PSC__L_U32, PSC__T_RUNS, PSC__T_LABS, 0, 0, NULL},
    {"lab_runs", "instrument", PSC__L_U32, PSC__T_RUNS, PSC__T_NONE, 0, 0, NULL},
    {"lab_runs", "tubes", PSC__L_U32, PSC__T_RUNS, PSC__T_NONE, 0, 0, NULL},
    {"lab_runs", "start", PSC__L_F64, PSC__T_RUNS, PSC__T_NONE, 0, 0, MIN},
    {"lab_runs", "end", PSC__L_F64, PSC__T_RUNS, PSC__T_NONE, 0, 0, MIN},
};
const size_t PSC__PLAN_LAYOUT_COUNT = sizeof PSC__PLAN_LAYOUT / sizeof PSC__PLAN_LAYOUT[0];

static const char *TABLE_GROUP[PSC__T_COUNT] = {
    "residents", "households", "tubes",         "communities", "streets",   "district",
    "sites",     "labs",       "site_schedule", "lab_runs",    "site_schedule"};

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
  /* the values of every checked column but the per-resident and
   * per-household ones, which are checked as they are read (a 25 million
   * resident plan is not read twice) */
  for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT && !pf->bad; i++) {
    const psc__layout_t *l = &PSC__PLAN_LAYOUT[i];
    if (l->length == PSC__T_RESIDENTS || l->length == PSC__T_HOUSEHOLDS ||
        (l->index == PSC__T_NONE && !l->max && !(l->flags & (PSC__L_POSITIVE | PSC__L_OFFSETS))))
      continue;
    uint32_t n;
    free(psc__layout_read(pf, l->group, l->name, &n));
  }
  return pf->bad ? PSC_EINPUT : 0;
}

/* Checks values of an entry; 0 or -1 (reported). */
static int check_values(psc__plan_file_t *pf, const psc__layout_t *l, const void *buf,
                        uint32_t n) {
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
  if (buf && len && H5Dread(d, mem_type(l->type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    fail(pf, l, "cannot be read");
    free(buf);
    buf = NULL;
  }
  H5Dclose(d);
  if (buf && check_values(pf, l, buf, (uint32_t)len) != 0) {
    free(buf);
    return NULL;
  }
  if (buf)
    *n = (uint32_t)len;
  return buf;
}

int psc__layout_check_u32(psc__plan_file_t *pf, const char *group, const char *name,
                          const uint32_t *v, uint32_t n) {
  const psc__layout_t *l = psc__layout_find(group, name);
  return l && l->type == PSC__L_U32 ? check_values(pf, l, v, n) : -1;
}
