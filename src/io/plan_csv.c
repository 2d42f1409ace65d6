/* The plan's CSV outputs: summary.csv, site_schedule.csv, tube_manifest.csv.
 * Each is written to a temporary name and renamed when complete. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* A time in minutes, empty when undefined (a unit without residents). */
static void put_time(FILE *f, double t) {
  if (isfinite(t))
    fprintf(f, "%.2f", t);
}

static void summary_row(FILE *f, const char *level, const char *id, const psc_verdict_t *v,
                        const char *name, int key) {
  fputs(level, f);
  fputc(',', f);
  psc__csv_put_text(f, id);
  fprintf(f, ",%u,%u,", v->residents, v->tubes);
  put_time(f, v->sampling_start);
  fputc(',', f);
  put_time(f, v->sampling_end);
  fputc(',', f);
  put_time(f, v->complete);
  fputc(',', f);
  put_time(f, v->deadline);
  fprintf(f, ",%d,", v->met);
  put_time(f, v->slack);
  fputc(',', f);
  psc__csv_put_text(f, name);
  fprintf(f, ",%d,%u,", key, v->exceptions);
  put_time(f, v->bound);
  fprintf(f, ",%d\n", v->infeasible);
}

static int write_summary(const void *ctx, FILE *f) {
  const psc_plan_t *p = ((const psc__plan_out_t *)ctx)->p;
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  const psc_streets_t *st = psc_scenario_streets(p->s);
  fputs("level,id,residents,tubes,sampling_start_min,sampling_end_min,complete_min,"
        "deadline_min,met,slack_min,name,key,exceptions,bound_min,infeasible\n",
        f);
  for (uint32_t c = 0; c < cm->count; c++)
    summary_row(f, "community", cm->id[c], &p->e.comm[c], cm->name[c], cm->key[c]);
  for (uint32_t s = 0; s < st->count; s++)
    summary_row(f, "street", st->name[s], &p->e.street[s], st->name[s], 0);
  const psc_params_t *par = psc_scenario_params(p->s);
  summary_row(f, "district", par->name, &p->e.district, par->name, 0);
  return 0;
}

typedef struct {
  uint32_t site;
  double start;
  uint32_t k;
} ses_key_t;

static int cmp_ses(const void *a, const void *b) {
  const ses_key_t *x = a, *y = b;
  if (x->site != y->site)
    return x->site < y->site ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return (x->k > y->k) - (x->k < y->k);
}

static const char *stream_name(int s) {
  static const char *n[] = {"walk_in", "high_risk", "door_to_door"};
  return s >= 0 && s < PSC_STREAMS ? n[s] : "?";
}

static int write_schedule(const void *ctx, FILE *f) {
  const psc_plan_t *p = ((const psc__plan_out_t *)ctx)->p;
  const psc_sites_t *st = psc_scenario_sites(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  const psc_streets_t *sv = psc_scenario_streets(p->s);
  const psc__eval_t *e = &p->e;
  ses_key_t *keys = psc__malloc(e->nsessions + 1, sizeof(*keys));
  if (!keys)
    return PSC_ENOMEM;
  for (uint32_t k = 0; k < e->nsessions; k++)
    keys[k] = (ses_key_t){e->ses_site[k], e->ses_start[k], k};
  qsort(keys, e->nsessions, sizeof(*keys), cmp_ses);
  fputs("site,kind,street,community,stream,start_min,end_min,residents,tubes,first_tube,"
        "last_tube\n",
        f);
  char a[32], b[32];
  for (uint32_t j = 0; j < e->nsessions; j++) {
    uint32_t k = keys[j].k, s = e->ses_site[k], c = e->ses_comm[k];
    psc__csv_put_text(f, st->id[s]);
    fprintf(f, ",%s,", psc_site_kind_name(st->kind[s]));
    psc__csv_put_text(f, sv->name[st->street[s]]);
    fputc(',', f);
    psc__csv_put_text(f, cm->id[c]);
    fprintf(f, ",%s,%.2f,%.2f,%u,%u,", stream_name(e->ses_stream[k]), e->ses_start[k],
            e->ses_end[k], e->ses_residents[k], e->ses_tubes[k]);
    uint32_t t0 = e->ses_tube_list[e->ses_tube_first[k]];
    uint32_t t1 = e->ses_tube_list[e->ses_tube_first[k + 1] - 1];
    psc_plan_tube_id(p, t0, a, sizeof a);
    psc_plan_tube_id(p, t1, b, sizeof b);
    fprintf(f, "%s,%s\n", a, b);
  }
  free(keys);
  return 0;
}

static int write_manifest(const void *ctx, FILE *f) {
  const psc_plan_t *p = ((const psc__plan_out_t *)ctx)->p;
  const psc_sites_t *st = psc_scenario_sites(p->s);
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  const psc_roster_t *r = psc_scenario_roster(p->s);
  const psc__eval_t *e = &p->e;
  const psc__pack_t *pk = &p->pk;
  fputs("tube,resident,household,community,site,lab,stream,swabs,sealed_min,departed_min,"
        "arrived_min,run,reported_min\n",
        f);
  char tid[32], rid[256], hid[256];
  for (uint32_t t = 0; t < pk->ntubes; t++) {
    psc_plan_tube_id(p, t, tid, sizeof tid);
    for (uint32_t j = pk->member_first[t]; j < pk->member_first[t] + pk->tube_swabs[t]; j++) {
      uint32_t i = pk->members[j];
      psc_scenario_resident_id(p->s, i, rid, sizeof rid);
      psc_scenario_household_id(p->s, r->res_household[i], hid, sizeof hid);
      fprintf(f, "%s,", tid);
      psc__csv_put_text(f, rid);
      fputc(',', f);
      psc__csv_put_text(f, hid);
      fputc(',', f);
      psc__csv_put_text(f, cm->id[pk->tube_comm[t]]);
      fputc(',', f);
      psc__csv_put_text(f, st->id[e->site[t]]);
      fputc(',', f);
      psc__csv_put_text(f, lb->id[e->lab[t]]);
      fprintf(f, ",%s,%u,%.2f,%.2f,%.2f,%u,%.2f\n", stream_name(pk->tube_stream[t]),
              pk->tube_swabs[t], e->sealed[t], e->departed[t], e->arrived[t], e->run[t],
              e->reported[t]);
    }
  }
  return 0;
}

static int write_exceptions(const void *ctx, FILE *f) {
  const psc_plan_t *p = ((const psc__plan_out_t *)ctx)->p;
  const psc_roster_t *r = psc_scenario_roster(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  fputs("resident,household,community,reason\n", f);
  char rid[256], hid[256];
  for (uint32_t i = 0; i < r->residents; i++) {
    if (!p->pk.res_exception[i])
      continue;
    uint32_t h = r->res_household[i];
    psc_scenario_resident_id(p->s, i, rid, sizeof rid);
    psc_scenario_household_id(p->s, h, hid, sizeof hid);
    psc__csv_put_text(f, rid);
    fputc(',', f);
    psc__csv_put_text(f, hid);
    fputc(',', f);
    psc__csv_put_text(f, cm->id[r->hh_community[h]]);
    fputs(",no_door_to_door_team\n", f);
  }
  return 0;
}

/* The plan's files: plan.h5 first (the largest; see psc__write_files). */
static const psc__out_file_t PLAN_FILES[] = {{"plan.h5", NULL, psc__plan_h5_to},
                                             {"summary.csv", write_summary, NULL},
                                             {"site_schedule.csv", write_schedule, NULL},
                                             {"tube_manifest.csv", write_manifest, NULL},
                                             {"exceptions.csv", write_exceptions, NULL}};
#define NPLAN_FILES (sizeof PLAN_FILES / sizeof PLAN_FILES[0])

int psc_plan_write_csv(const psc_plan_t *p, const char *outdir) {
  if (!p || !outdir)
    return PSC_EINVAL;
  psc__plan_out_t out = {p, 0};
  return psc__write_files(outdir, PLAN_FILES + 1, NPLAN_FILES - 1, &out);
}

int psc_plan_write(const psc_plan_t *p, const char *outdir, int with_csv, int threads) {
  if (!p || !outdir)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc_plan_write_to(p, set, with_csv, threads);
  psc_outset_free(set);
  return rc;
}

int psc_plan_write_to(const psc_plan_t *p, psc_outset_t *set, int with_csv, int threads) {
  if (!p || !set)
    return PSC_EINVAL;
  psc__plan_out_t out = {p, threads};
  /* every name is the plan's own: --no-csv drops an older plan's CSVs */
  return psc__outset_write(set, PLAN_FILES, with_csv ? NPLAN_FILES : 1, NPLAN_FILES, &out);
}
