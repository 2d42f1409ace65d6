/* Reading what decode needs from plan.h5 (or from a round-1 decode.h5). */
#include "decode/decode_internal.h"

#include <errno.h>

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_read.h"
#include "io/plan_layout.h"

void psc__plan_view_free(psc__plan_view_t *v) {
  psc__strcol_t *strv[] = {&v->tube_id, &v->comm_id, &v->street_name, &v->site_id, &v->lab_id,
                           &v->rt_tube_id};
  for (size_t i = 0; i < sizeof strv / sizeof strv[0]; i++)
    free(strv[i]->raw);
  void *arr[] = {v->tube_comm, v->tube_lab, v->res_hh, v->res_comm, v->comm_street,
                 v->site_street, v->site_booths, v->lab_inst, v->lab_wells, v->lab_run_min,
                 v->run_lab, v->run_tubes, v->res_tube, v->tube_kind, v->tube_array, v->site_open, v->site_close, v->lab_open,
                 v->lab_close, v->tube_stream, v->comm_key, v->site_kind, v->tube_reported,
                 v->site_rate, v->site_x, v->site_y, v->lab_x, v->lab_y, v->comm_x, v->comm_y,
                 v->run_start, v->run_end, v->comm_complete, v->comm_deadline,
                 v->street_complete, v->street_deadline, v->site_busy_until, v->member_first,
                 v->rt_res, v->rt_pool_tube, v->rt_lab, v->tube_run, v->run_inst,
                 v->near_lab, v->tube_arrived, v->near_lab_min, v->pool_result};
  for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
    free(arr[i]);
  memset(v, 0, sizeof(*v));
}

int psc__plan_view_names(const char *path, const psc__plan_view_t *v, const uint32_t *res,
                         uint32_t n, psc__strcol_t *res_ids, psc__strcol_t *hh_ids,
                         uint32_t **hh_out) {
  psc__h5_quiet_begin();
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  uint32_t *hh = NULL;
  if (f >= 0 && v->res_hh) {
    hh = psc__malloc(n + 1, 4);
    for (uint32_t k = 0; hh && k < n; k++)
      hh[k] = v->res_hh[res[k]];
  } else if (f >= 0) {
    hh = psc__h5_read_u32_at(f, "residents/household", res, n);
  }
  int rc = f < 0 || !hh || psc__h5_read_strings_at(f, "residents/id", res, n, res_ids) ||
                   psc__h5_read_strings_at(f, "households/id", hh, n, hh_ids)
               ? PSC_EHDF5
               : 0;
  if (f >= 0)
    H5Fclose(f);
  psc__h5_quiet_end();
  if (hh_out && !rc)
    *hh_out = hh;
  else
    free(hh);
  return rc;
}

/* The file an external link at the root points to (decode.h5 of a large
 * plan links its plan's groups); the first one found. */
typedef struct {
  char *file;
} elink_t;

static herr_t find_elink(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  elink_t *e = op;
  if (info->type != H5L_TYPE_EXTERNAL || e->file)
    return 0;
  char *buf = malloc(info->u.val_size + 1);
  const char *file = NULL, *obj = NULL;
  unsigned flags = 0;
  if (buf && H5Lget_val(g, name, buf, info->u.val_size, H5P_DEFAULT) >= 0 &&
      H5Lunpack_elink_val(buf, info->u.val_size, &flags, &file, &obj) >= 0 && file)
    e->file = psc__strdup(file);
  free(buf);
  return e->file ? 1 : 0;
}

/* A decode file whose groups link to a plan file: that plan must carry the
 * identity this file was made from. 0, or -1 with an error naming both. */
static int psc__check_linked_plan(hid_t f, const char *path, const char *identity,
                                  psc_diags_t *d) {
  elink_t e = {NULL};
  H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, find_elink, &e);
  if (!e.file)
    return 0;
  char other[32] = "";
  hid_t g = H5Fopen(e.file, H5F_ACC_RDONLY, H5P_DEFAULT);
  int got = g >= 0 && psc__h5_attr_text(g, "plan_identity", other, sizeof other) == 0;
  if (g >= 0)
    H5Fclose(g);
  int rc = 0;
  if (!got) {
    psc__error(d, path, 1, 1, "links to the plan file %s, which cannot be read or has no plan "
                              "identity (this file was made from plan %s)",
               e.file, identity);
    rc = -1;
  } else if (strcmp(other, identity) != 0) {
    psc__error(d, path, 1, 1,
               "was made from plan %s, but the plan file it links to (%s) is now plan %s; "
               "decode round 1 again against the current plan",
               identity, e.file, other);
    rc = -1;
  }
  free(e.file);
  return rc;
}

/* Cross-checks the view's columns that decode indexes with each other. */
static int view_consistent(psc__plan_file_t *pf, psc__plan_view_t *v) {
  /* a tube's lab and run agree; each site's street is a street (checked by
   * the layout); members per tube do not exceed its swabs */
  for (uint32_t t = 0; t < v->ntubes; t++) {
    if (v->tube_array[t] < -1 || (v->tube_kind[t] && v->tube_array[t] < 0)) {
      psc__error(pf->d, pf->path, 1, 1, "dataset /tubes/array row %u: %d is not an array", t,
                 v->tube_array[t]);
      return -1;
    }
  }
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (v->member_first[t + 1] - v->member_first[t] > 255) {
      psc__error(pf->d, pf->path, 1, 1, "dataset /residents/tube: tube %u has %u residents", t,
                 v->member_first[t + 1] - v->member_first[t]);
      return -1;
    }
  /* every street with a community has a site (retests need a team or a
   * site of the street); T0's clock is a time of day */
  uint8_t *has_site = calloc(v->nstreets + 1, 1);
  if (!has_site)
    return -1;
  for (uint32_t i = 0; i < v->nsites; i++)
    has_site[v->site_street[i]] = 1;
  for (uint32_t c = 0; c < v->ncomm; c++)
    if (!has_site[v->comm_street[c]]) {
      psc__error(pf->d, pf->path, 1, 1,
                 "dataset /sites/street: street %u of community %u has no site", v->comm_street[c],
                 c);
      free(has_site);
      return -1;
    }
  free(has_site);
  if (v->t0_clock < 0 || v->t0_clock >= 1440) {
    psc__error(pf->d, pf->path, 1, 1, "attribute start_minute_of_day %lld is not a time of day",
               v->t0_clock);
    return -1;
  }
  if (v->ntubes && v->tube_id.stride != PSC__TUBE_ID_LEN + 1) {
    psc__error(pf->d, pf->path, 1, 1, "dataset /tubes/id holds %zu-character ids, not %d",
               v->tube_id.stride - 1, PSC__TUBE_ID_LEN);
    return -1;
  }
  return 0;
}

int psc__plan_view_load(const char *path, psc__plan_view_t *v, psc_diags_t *d,
                        const psc__view_hook_t *hook) {
  memset(v, 0, sizeof(*v));
  /* a file that is not there, or not readable, is no "not a plan file" */
  FILE *probe = fopen(path, "rb");
  if (!probe) {
    psc__error(d, path, 1, 1, "cannot open the plan file: %s",
               errno == ENOENT ? "no such file" : strerror(errno));
    return PSC_EINPUT;
  }
  fclose(probe);
  psc__h5_quiet_begin();
  hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  if (f < 0) {
    psc__h5_quiet_end();
    psc__error(d, path, 1, 1, "not a plan file (cannot open it as HDF5)");
    return PSC_EINPUT;
  }
  /* the layout first: format, every dataset's presence, class and length */
  psc__plan_file_t pf = {.f = f, .path = path, .d = d};
  int bad = psc__layout_check(&pf) != 0;
  char ident[32] = "";
  if (!bad && (psc__h5_attr_text(f, "plan_identity", ident, sizeof ident) != 0 ||
               strlen(ident) != 16 || strspn(ident, "0123456789abcdef") != 16)) {
    psc__error(d, path, 1, 1, "attribute plan_identity is missing or not 16 hex digits");
    bad = 1;
  }
  if (!bad && psc__h5_attr_text(f, "scenario.start", v->start, sizeof v->start) != 0)
    v->start[0] = '\0'; /* clock times are then left empty */
  if (!bad) {
    memcpy(v->identity, ident, 17);
    v->tag = (uint32_t)(strtoull(ident, NULL, 16) % 10000u);
  }
  uint32_t n = 0;
  /* every column decode uses, read through the layout: each index is
   * checked against its table before any is used */
#define RD(field, grp, name) bad |= !bad && !(v->field = psc__layout_read(&pf, grp, name, &n))
#define RDS(field, p) bad |= !bad && psc__h5_read_strings(f, p, &v->field), n = v->field.n
  RDS(tube_id, "tubes/id");
  v->ntubes = pf.count[PSC__T_TUBES];
  /* round 1: the results can be read against the tube ids while the rest
   * of the plan is read (the date code is read and checked again below) */
  int hooked = 0;
  if (!bad && hook && v->tube_id.n == v->ntubes &&
      (!v->ntubes || v->tube_id.stride == PSC__TUBE_ID_LEN + 1) &&
      H5Lexists(f, "decode", H5P_DEFAULT) <= 0 &&
      psc__h5_attr_i64(f, "tube_date_code", &v->date_code) == 0 && v->date_code >= 0 &&
      v->date_code <= 999999) {
    hook->start(hook->ctx, v);
    hooked = 1;
  }
  RD(tube_comm, "tubes", "community");
  RD(tube_lab, "tubes", "lab");
  RD(tube_stream, "tubes", "stream");
  RD(tube_kind, "tubes", "kind");
  RD(tube_array, "tubes", "array");
  RD(tube_reported, "tubes", "reported");
  RD(res_tube, "residents", "tube");
  v->nres = pf.count[PSC__T_RESIDENTS];
  /* every resident's household, checked against /households here (the ids
   * of listed residents' households are read by row later) */
  RD(res_hh, "residents", "household");
  v->nhh = pf.count[PSC__T_HOUSEHOLDS];
  RDS(comm_id, "communities/id");
  v->ncomm = pf.count[PSC__T_COMMUNITIES];
  RD(comm_street, "communities", "street");
  RD(comm_key, "communities", "key");
  RD(comm_x, "communities", "x_km");
  RD(comm_y, "communities", "y_km");
  RD(comm_complete, "communities", "complete_min");
  RD(comm_deadline, "communities", "deadline_min");
  RDS(street_name, "streets/name");
  v->nstreets = pf.count[PSC__T_STREETS];
  RD(street_complete, "streets", "complete_min");
  RD(street_deadline, "streets", "deadline_min");
  RDS(site_id, "sites/id");
  v->nsites = pf.count[PSC__T_SITES];
  RD(site_street, "sites", "street");
  RD(site_kind, "sites", "kind");
  RD(site_booths, "sites", "booths");
  RD(site_rate, "sites", "rate");
  RD(site_open, "sites", "open_min");
  RD(site_close, "sites", "close_min");
  RD(site_x, "sites", "x_km");
  RD(site_y, "sites", "y_km");
  RDS(lab_id, "labs/id");
  v->nlabs = pf.count[PSC__T_LABS];
  RD(lab_inst, "labs", "instruments");
  RD(lab_wells, "labs", "wells_per_run");
  RD(lab_run_min, "labs", "run_minutes");
  RD(lab_open, "labs", "open_min");
  RD(lab_close, "labs", "close_min");
  RD(lab_x, "labs", "x_km");
  RD(lab_y, "labs", "y_km");
  RD(run_lab, "lab_runs", "lab");
  v->nruns = pf.count[PSC__T_RUNS];
  RD(run_start, "lab_runs", "start");
  RD(run_end, "lab_runs", "end");
  RD(run_tubes, "lab_runs", "tubes");
  uint32_t nses = pf.count[PSC__T_SESSIONS];
  uint32_t *ses_site = NULL;
  double *ses_end = NULL, *dc = NULL, *dd = NULL;
  if (!bad) {
    ses_site = psc__layout_read(&pf, "site_schedule", "site", &n);
    ses_end = psc__layout_read(&pf, "site_schedule", "end", &n);
    dc = psc__layout_read(&pf, "district", "complete_min", &n);
    dd = psc__layout_read(&pf, "district", "deadline_min", &n);
    bad |= !ses_site || !ses_end || !dc || !dd;
  }
  /* round 1 replays the plan's lab schedule with the retests: each tube's
   * run and arrival, each run's instrument, each site's quickest labs */
  if (!bad && H5Lexists(f, "decode", H5P_DEFAULT) <= 0) {
    char mode[32];
    uint32_t *sl_site = NULL, *sl_lab = NULL;
    double *sl_min = NULL;
    RD(tube_run, "tubes", "run");
    RD(tube_arrived, "tubes", "arrived");
    RD(run_inst, "lab_runs", "instrument");
    if (!bad && pf.count[PSC__T_SITE_LABS] == 0) {
      psc__error(d, path, 1, 1, "group /site_labs is missing (a plan written before decode "
                                "routed retests by travel times): plan it again");
      bad = 1;
    }
    if (!bad) {
      sl_site = psc__layout_read(&pf, "site_labs", "site", &n);
      sl_lab = psc__layout_read(&pf, "site_labs", "lab", &n);
      sl_min = psc__layout_read(&pf, "site_labs", "minutes", &n);
      v->near_lab = psc__malloc((size_t)v->nsites * PSC__NEAR_LABS + 1, 4);
      v->near_lab_min = psc__malloc((size_t)v->nsites * PSC__NEAR_LABS + 1, 8);
      bad |= !sl_site || !sl_lab || !sl_min || !v->near_lab || !v->near_lab_min;
    }
    for (size_t k = 0; !bad && k < (size_t)v->nsites * PSC__NEAR_LABS; k++) {
      v->near_lab[k] = PSC__NONE;
      v->near_lab_min[k] = INFINITY;
    }
    /* rows by site, quickest first: up to PSC__NEAR_LABS a site */
    for (uint32_t k = 0, rank = 0; !bad && k < pf.count[PSC__T_SITE_LABS]; k++) {
      rank = k && sl_site[k] == sl_site[k - 1] ? rank + 1 : 0;
      if (rank >= PSC__NEAR_LABS || (k && sl_site[k] < sl_site[k - 1]) || !(sl_min[k] >= 0)) {
        psc__error(d, path, 1, 1, "dataset /site_labs is not in site order, has more than %d "
                                  "labs for a site or a negative time (row %u)",
                   PSC__NEAR_LABS, k);
        bad = 1;
        break;
      }
      v->near_lab[(size_t)sl_site[k] * PSC__NEAR_LABS + rank] = sl_lab[k];
      v->near_lab_min[(size_t)sl_site[k] * PSC__NEAR_LABS + rank] = sl_min[k];
    }
    free(sl_site);
    free(sl_lab);
    free(sl_min);
    if (!bad && (psc__h5_attr_f64(f, "hold", &v->hold) != 0 ||
                 psc__h5_attr_text(f, "lab.run_start", mode, sizeof mode) != 0 ||
                 !(v->hold >= 0))) {
      psc__error(d, path, 1, 1, "root attribute hold or lab.run_start is missing or invalid");
      bad = 1;
    }
    v->run_start_planned = !bad && strcmp(mode, "eager") != 0;
  }
  bad |= !bad && psc__layout_check_rest(&pf) != 0;
  if (!bad) {
    v->district_complete = dc[0];
    v->district_deadline = dd[0];
    if (psc__h5_attr_i64(f, "tube_date_code", &v->date_code) |
        psc__h5_attr_i64(f, "start_minute_of_day", &v->t0_clock) |
        psc__h5_attr_f64(f, "lab.report_minutes", &v->report_min) |
        psc__h5_attr_f64(f, "transport.handover_minutes", &v->handover_min) |
        psc__h5_attr_f64(f, "transport.speed_kmh", &v->speed_kmh)) {
      psc__error(d, path, 1, 1, "a root attribute of the plan is missing (tube_date_code, "
                                "start_minute_of_day, lab.report_minutes, "
                                "transport.handover_minutes or transport.speed_kmh)");
      bad = 1;
    } else if (!(v->speed_kmh > 0) || !(v->report_min >= 0) || !(v->handover_min >= 0) ||
               v->date_code < 0 || v->date_code > 999999) {
      psc__error(d, path, 1, 1, "a root attribute of the plan is out of range "
                                "(transport.speed_kmh must be positive)");
      bad = 1;
    }
  }
  /* round 1's retests, when this is a decode file */
  if (!bad && H5Lexists(f, "decode", H5P_DEFAULT) > 0) {
    v->has_decode = 1;
    uint32_t m = 0;
    bad |= !(v->rt_res = psc__h5_read(f, "decode/retests/resident", H5T_NATIVE_UINT32, 4, &m));
    v->nretests = m;
    bad |= !(v->rt_pool_tube = psc__h5_read(f, "decode/retests/pool_tube", H5T_NATIVE_UINT32, 4, &n)) ||
           n != m;
    bad |= !bad && (!(v->rt_lab = psc__h5_read(f, "decode/retests/lab", H5T_NATIVE_UINT32, 4, &n)) ||
                    n != m);
    bad |= !bad && (psc__h5_read_strings(f, "decode/retests/tube", &v->rt_tube_id) ||
                    v->rt_tube_id.n != m || v->rt_tube_id.stride != PSC__TUBE_ID_LEN + 1);
    for (uint32_t k = 0; !bad && k < m; k++)
      if (v->rt_res[k] >= v->nres || v->rt_pool_tube[k] >= v->ntubes || v->rt_lab[k] >= v->nlabs)
        bad = 1;
    if (bad)
      psc__error(d, path, 1, 1, "group /decode/retests is damaged (lengths or rows out of range)");
    /* round 1's result of every plan tube: its unresolved pools are carried forward */
    bad |= !bad && (!(v->pool_result = psc__h5_read(f, "decode/tube_result", H5T_NATIVE_UINT8, 1,
                                                    &n)) || n != v->ntubes);
    for (uint32_t t = 0; !bad && t < v->ntubes; t++)
      if (v->pool_result[t] > RES_INVALID) {
        psc__error(d, path, 1, 1, "dataset /decode/tube_result has a value out of range");
        bad = 1;
      }
    /* round 2 lists whole households: every resident's community too
     * (round 1 takes it from the resident's tube) */
    RD(res_comm, "residents", "community");
  }
#undef RD
#undef RDS
  /* a linked plan (decode.h5 of a large plan links to plan.h5) must be the
   * plan this file was made from */
  if (!bad)
    bad = psc__check_linked_plan(f, path, v->identity, d) != 0;
  H5Fclose(f);
  psc__h5_quiet_end();
  if (!bad) {
    v->site_busy_until = calloc(v->nsites + 1, sizeof(double));
    v->member_first = calloc((size_t)v->ntubes + 2, 4);
    bad = !v->site_busy_until || !v->member_first;
  }
  if (!bad) {
    for (uint32_t k = 0; k < nses; k++)
      v->site_busy_until[ses_site[k]] = fmax(v->site_busy_until[ses_site[k]], ses_end[k]);
    /* members per tube (offsets: residents/tube counted); which residents
     * they are is looked up for the few tubes that need them (decode.c) */
    for (uint32_t i = 0; i < v->nres; i++)
      if (v->res_tube[i] >= 0)
        v->member_first[v->res_tube[i] + 1]++;
    for (uint32_t t = 0; t < v->ntubes; t++)
      v->member_first[t + 1] += v->member_first[t];
    bad = view_consistent(&pf, v) != 0;
  }
  free(ses_site);
  free(ses_end);
  free(dc);
  free(dd);
  if (hooked)
    hook->wait(hook->ctx);
  if (bad) {
    psc__plan_view_free(v);
    if (!psc_diags_errors(d))
      psc__error(d, path, 1, 1, "not a poolscreen plan file (a dataset or attribute is missing)");
    return PSC_EINPUT;
  }
  return 0;
}
