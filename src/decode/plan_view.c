/* Reading what decode needs from plan.h5 (or from a round-1 decode.h5). */
#include "decode/decode_internal.h"

#include <errno.h>

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_read.h"

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
                 v->members, v->rt_res, v->rt_pool_tube, v->rt_lab};
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

int psc__plan_view_load(const char *path, psc__plan_view_t *v, psc_diags_t *d) {
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
  uint32_t n;
  int bad = 0;
#define RD(field, p, mem, type) bad |= !(v->field = psc__h5_read(f, p, mem, sizeof(type), &n))
#define RDS(field, p) bad |= psc__h5_read_strings(f, p, &v->field), n = v->field.n
  RDS(tube_id, "tubes/id");
  v->ntubes = n;
  RD(tube_comm, "tubes/community", H5T_NATIVE_UINT32, uint32_t);
  RD(tube_lab, "tubes/lab", H5T_NATIVE_UINT32, uint32_t);
  RD(tube_stream, "tubes/stream", H5T_NATIVE_UINT8, uint8_t);
  RD(tube_kind, "tubes/kind", H5T_NATIVE_UINT8, uint8_t);
  RD(tube_array, "tubes/array", H5T_NATIVE_INT32, int32_t);
  RD(tube_reported, "tubes/reported", H5T_NATIVE_DOUBLE, double);
  RD(res_tube, "residents/tube", H5T_NATIVE_INT32, int32_t);
  v->nres = n;
  bad |= psc__h5_length(f, "households/community", &v->nhh) != 0;
  RDS(comm_id, "communities/id");
  v->ncomm = n;
  RD(comm_street, "communities/street", H5T_NATIVE_UINT32, uint32_t);
  RD(comm_key, "communities/key", H5T_NATIVE_UINT8, uint8_t);
  RD(comm_x, "communities/x_km", H5T_NATIVE_DOUBLE, double);
  RD(comm_y, "communities/y_km", H5T_NATIVE_DOUBLE, double);
  RD(comm_complete, "communities/complete_min", H5T_NATIVE_DOUBLE, double);
  RD(comm_deadline, "communities/deadline_min", H5T_NATIVE_DOUBLE, double);
  RDS(street_name, "streets/name");
  v->nstreets = n;
  RD(street_complete, "streets/complete_min", H5T_NATIVE_DOUBLE, double);
  RD(street_deadline, "streets/deadline_min", H5T_NATIVE_DOUBLE, double);
  RDS(site_id, "sites/id");
  v->nsites = n;
  RD(site_street, "sites/street", H5T_NATIVE_UINT32, uint32_t);
  RD(site_kind, "sites/kind", H5T_NATIVE_UINT8, uint8_t);
  RD(site_booths, "sites/booths", H5T_NATIVE_UINT32, uint32_t);
  RD(site_rate, "sites/rate", H5T_NATIVE_DOUBLE, double);
  RD(site_open, "sites/open_min", H5T_NATIVE_INT32, int32_t);
  RD(site_close, "sites/close_min", H5T_NATIVE_INT32, int32_t);
  RD(site_x, "sites/x_km", H5T_NATIVE_DOUBLE, double);
  RD(site_y, "sites/y_km", H5T_NATIVE_DOUBLE, double);
  RDS(lab_id, "labs/id");
  v->nlabs = n;
  RD(lab_inst, "labs/instruments", H5T_NATIVE_UINT32, uint32_t);
  RD(lab_wells, "labs/wells_per_run", H5T_NATIVE_UINT32, uint32_t);
  RD(lab_run_min, "labs/run_minutes", H5T_NATIVE_UINT32, uint32_t);
  RD(lab_open, "labs/open_min", H5T_NATIVE_INT32, int32_t);
  RD(lab_close, "labs/close_min", H5T_NATIVE_INT32, int32_t);
  RD(lab_x, "labs/x_km", H5T_NATIVE_DOUBLE, double);
  RD(lab_y, "labs/y_km", H5T_NATIVE_DOUBLE, double);
  RD(run_lab, "lab_runs/lab", H5T_NATIVE_UINT32, uint32_t);
  v->nruns = n;
  RD(run_start, "lab_runs/start", H5T_NATIVE_DOUBLE, double);
  RD(run_end, "lab_runs/end", H5T_NATIVE_DOUBLE, double);
  RD(run_tubes, "lab_runs/tubes", H5T_NATIVE_UINT32, uint32_t);
  uint32_t nses = 0;
  uint32_t *ses_site = psc__h5_read(f, "site_schedule/site", H5T_NATIVE_UINT32, 4, &nses);
  double *ses_end = psc__h5_read(f, "site_schedule/end", H5T_NATIVE_DOUBLE, 8, &n);
  double *dc = psc__h5_read(f, "district/complete_min", H5T_NATIVE_DOUBLE, 8, &n);
  double *dd = psc__h5_read(f, "district/deadline_min", H5T_NATIVE_DOUBLE, 8, &n);
  bad |= !ses_site || !ses_end || !dc || !dd;
  if (!bad) {
    v->district_complete = dc[0];
    v->district_deadline = dd[0];
  }
  bad |= psc__h5_attr_i64(f, "tube_date_code", &v->date_code) |
         psc__h5_attr_i64(f, "start_minute_of_day", &v->t0_clock) |
         psc__h5_attr_f64(f, "lab.report_minutes", &v->report_min) |
         psc__h5_attr_f64(f, "transport.handover_minutes", &v->handover_min) |
         psc__h5_attr_f64(f, "transport.speed_kmh", &v->speed_kmh);
  /* round 1's retests, when this is a decode file */
  if (!bad && H5Lexists(f, "decode", H5P_DEFAULT) > 0) {
    v->has_decode = 1;
    RD(rt_res, "decode/retests/resident", H5T_NATIVE_UINT32, uint32_t);
    v->nretests = n;
    RD(rt_pool_tube, "decode/retests/pool_tube", H5T_NATIVE_UINT32, uint32_t);
    RD(rt_lab, "decode/retests/lab", H5T_NATIVE_UINT32, uint32_t);
    RDS(rt_tube_id, "decode/retests/tube");
    /* round 2 lists whole households: every resident's household and
     * community (round 1 reads them only for the residents it lists) */
    RD(res_hh, "residents/household", H5T_NATIVE_UINT32, uint32_t);
    RD(res_comm, "residents/community", H5T_NATIVE_UINT32, uint32_t);
  }
#undef RD
#undef RDS
  H5Fclose(f);
  psc__h5_quiet_end();
  if (!bad) {
    v->site_busy_until = calloc(v->nsites + 1, sizeof(double));
    v->member_first = calloc((size_t)v->ntubes + 2, 4);
    v->members = psc__malloc(v->nres + 1, 4);
    bad = !v->site_busy_until || !v->member_first || !v->members;
  }
  if (!bad) {
    for (uint32_t k = 0; k < nses; k++)
      if (ses_site[k] < v->nsites)
        v->site_busy_until[ses_site[k]] = fmax(v->site_busy_until[ses_site[k]], ses_end[k]);
    /* tube members by a counting sort of residents/tube */
    for (uint32_t i = 0; i < v->nres; i++)
      if (v->res_tube[i] >= 0 && (uint32_t)v->res_tube[i] < v->ntubes)
        v->member_first[v->res_tube[i] + 2]++;
    for (uint32_t t = 0; t < v->ntubes; t++)
      v->member_first[t + 2] += v->member_first[t + 1];
    for (uint32_t i = 0; i < v->nres; i++)
      if (v->res_tube[i] >= 0 && (uint32_t)v->res_tube[i] < v->ntubes)
        v->members[v->member_first[v->res_tube[i] + 1]++] = i;
  }
  free(ses_site);
  free(ses_end);
  free(dc);
  free(dd);
  if (bad) {
    psc__plan_view_free(v);
    psc__error(d, path, 1, 1, "not a poolscreen plan file (a dataset or attribute is missing)");
    return PSC_EINPUT;
  }
  return 0;
}
