/* Running a batch: each variant's scenario is loaded through the library
 * with its changes, planned (and simulated) on one thread; variants run in
 * parallel and write only their own rows, so results do not depend on the
 * thread count. */
#define _POSIX_C_SOURCE 200809L
#include "batch/batch_internal.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

psc_batch_options_t psc_batch_options_default(void) {
  psc_batch_options_t o = {0};
  return o;
}

static void free_group(psc__bgroup_t *g) { free(g->set); }

void psc_batch_free(psc_batch_t *b) {
  if (!b)
    return;
  free_group(&b->base);
  for (uint32_t i = 0; i < b->ncases; i++)
    free_group(&b->cases[i]);
  for (uint32_t i = 0; i < b->naxes; i++)
    free_group(&b->axes[i]);
  free(b->cases);
  free(b->axes);
  for (uint32_t i = 0; i < b->nlines; i++)
    free(b->lines[i]);
  free(b->lines);
  for (uint32_t v = 0; v < b->nvariants; v++) {
    if (b->v_name)
      free(b->v_name[v]);
    if (b->v_changes)
      free(b->v_changes[v]);
  }
  free(b->v_name);
  free(b->v_changes);
  free(b->v_case);
  free(b->v_point);
  free(b->res);
  free(b->u_complete);
  free(b->u_slack);
  free(b->u_bound);
  free(b->u_met);
  psc_scenario_free(b->base_s);
  free(b->scenario);
  free(b->path);
  free(b);
}

int psc_batch_load(const char *path, psc_diags_t *d, psc_batch_t **out) {
  if (!path || !d || !out)
    return PSC_EINVAL;
  *out = NULL;
  psc_batch_t *b = calloc(1, sizeof(*b));
  if (!b || !(b->path = psc__strdup(path))) {
    free(b);
    return PSC_ENOMEM;
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    int rc = psc__error(d, path, 1, 1, "cannot open batch file: %s", strerror(errno));
    psc_batch_free(b);
    return rc ? rc : PSC_EINPUT;
  }
  int rc = psc__batch_parse(b, fp, d);
  fclose(fp);
  if (!rc)
    rc = psc__batch_enumerate(b);
  if (rc) {
    psc_batch_free(b);
    return rc;
  }
  *out = b;
  return 0;
}

uint32_t psc_batch_variants(const psc_batch_t *b) { return b ? b->nvariants : 0; }

const char *psc_batch_variant_name(const psc_batch_t *b, uint32_t v) {
  return b && v < b->nvariants ? b->v_name[v] : NULL;
}

const char *psc_batch_variant_changes(const psc_batch_t *b, uint32_t v) {
  return b && v < b->nvariants ? b->v_changes[v] : NULL;
}

const char *psc_batch_scenario_path(const psc_batch_t *b) { return b ? b->scenario : NULL; }

const psc_batch_result_t *psc_batch_result(const psc_batch_t *b, uint32_t v) {
  return b && b->ran && v < b->nvariants ? &b->res[v] : NULL;
}

uint32_t psc_batch_units(const psc_batch_t *b) { return b ? b->nunits : 0; }

const psc_scenario_t *psc_batch_base(const psc_batch_t *b) { return b ? b->base_s : NULL; }

int psc_batch_unit_verdict(const psc_batch_t *b, uint32_t v, uint32_t u, double *complete,
                           double *slack, double *bound, int *met) {
  if (!b || !b->ran || v >= b->nvariants || u >= b->nunits)
    return PSC_EINVAL;
  size_t i = (size_t)v * b->nunits + u;
  if (complete)
    *complete = b->u_complete[i];
  if (slack)
    *slack = b->u_slack[i];
  if (bound)
    *bound = b->u_bound[i];
  if (met)
    *met = b->u_met[i];
  return 0;
}

/* Resources of a scenario, to count what a variant adds. */
typedef struct {
  int64_t booths, teams, instruments;
  double lab_tubes_per_day, swabs_per_day;
} totals_t;

static totals_t totals(const psc_scenario_t *s) {
  totals_t t = {0};
  const psc_sites_t *st = psc_scenario_sites(s);
  for (uint32_t i = 0; i < st->count; i++) {
    double day = psc_open_minutes(st->open_min[i], st->close_min[i]) / 60.0;
    if (st->kind[i] == PSC_SITE_DOOR_TO_DOOR) {
      t.teams += st->booths[i];
    } else {
      t.booths += st->booths[i];
      t.swabs_per_day += st->booths[i] * st->rate[i] * day;
    }
  }
  const psc_labs_t *lb = psc_scenario_labs(s);
  for (uint32_t l = 0; l < lb->count; l++) {
    t.instruments += lb->instruments[l];
    /* as scenario-format.md defines a lab's daily capacity */
    t.lab_tubes_per_day += (double)lb->instruments[l] * lb->wells[l] *
                           psc_open_minutes(lb->open_min[l], lb->close_min[l]) /
                           lb->run_minutes[l];
  }
  return t;
}

static void plan_figures(psc_batch_t *b, uint32_t v, const psc_plan_t *p, const totals_t *base,
                         psc_batch_result_t *r) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  const psc_verdict_t *dv = psc_plan_district(p);
  r->residents = dv->residents;
  r->tubes = psc_plan_tubes(p)->count;
  r->exceptions = dv->exceptions;
  r->district_met = dv->met;
  r->district_complete = dv->complete;
  r->lower_bound = psc_plan_lower_bound(p);
  r->gap = dv->complete - r->lower_bound;
  r->tests_per_person = dv->residents ? (double)r->tubes / dv->residents : NAN;
  double *uc = &b->u_complete[(size_t)v * b->nunits], *us = &b->u_slack[(size_t)v * b->nunits];
  double *ub = &b->u_bound[(size_t)v * b->nunits];
  uint8_t *um = &b->u_met[(size_t)v * b->nunits];
  for (uint32_t c = 0; c < cm->count; c++) {
    const psc_verdict_t *x = psc_plan_community(p, c);
    uc[c] = x->complete;
    us[c] = x->slack;
    ub[c] = x->bound;
    um[c] = (uint8_t)x->met;
    if (cm->key[c] && x->residents) {
      r->keys++;
      r->keys_met += x->met != 0;
    }
  }
  for (uint32_t st = 0; st < sv->count; st++) {
    const psc_verdict_t *x = psc_plan_street(p, st);
    uc[cm->count + st] = x->complete;
    us[cm->count + st] = x->slack;
    ub[cm->count + st] = x->bound;
    um[cm->count + st] = (uint8_t)x->met;
    if (x->residents) {
      r->streets++;
      r->streets_met += x->met != 0;
    }
  }
  uc[b->nunits - 1] = dv->complete;
  us[b->nunits - 1] = dv->slack;
  ub[b->nunits - 1] = dv->bound;
  um[b->nunits - 1] = (uint8_t)dv->met;
  const psc_utilisation_t *u = psc_plan_utilisation(p);
  r->bottleneck = psc__bottleneck(u, &r->bottleneck_util);
  r->lab_util = u->lab;
  r->lab_fill = u->lab_fill;
  r->sampling_util = u->sampling;
  totals_t t = totals(s);
  r->booths_added = t.booths - base->booths;
  r->teams_added = t.teams - base->teams;
  r->instruments_added = t.instruments - base->instruments;
  r->lab_tubes_per_day_added = t.lab_tubes_per_day - base->lab_tubes_per_day;
  r->swabs_per_day_added = t.swabs_per_day - base->swabs_per_day;
}

static void sim_figures(const psc_sim_t *sim, psc_batch_result_t *r) {
  uint32_t R = psc_sim_replicates(sim);
  r->replicates = R;
  for (int l = 0; l < 3; l++)
    r->p_met[l] = r->p_lo[l] = r->p_hi[l] = NAN;
  for (size_t i = 0; i < psc_sim_units(sim); i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    int l = u->level;
    if (l < 0 || l > 2)
      continue;
    if (isnan(r->p_met[l]) || u->p_met < r->p_met[l]) {
      r->p_met[l] = u->p_met;
      r->p_lo[l] = u->p_met_lo;
      r->p_hi[l] = u->p_met_hi;
    }
    if (l == 2) {
      r->sim_complete_p50 = u->complete_p50;
      r->sim_complete_p95 = u->complete_p95;
    }
  }
  double tests = 0, missed = 0;
  for (uint32_t k = 0; k < R; k++) {
    tests += psc_sim_replicate(sim, k)->tests_per_person;
    missed += psc_sim_replicate(sim, k)->missed;
  }
  r->sim_tests_per_person = R ? tests / R : NAN;
  r->sim_missed = R ? missed / R : NAN;
}

/* One variant, on the calling thread. Returns 0, PSC_EINPUT (problems in
 * *dp) or another code. */
static int run_variant(psc_batch_t *b, uint32_t v, const psc_batch_options_t *o,
                       const totals_t *base, psc_diags_t **dp) {
  psc_diags_t *d = psc_diags_create();
  psc_override_t *set = psc__calloc(b->base.n + b->naxes + 1 +
                                        (b->v_case[v] != PSC__NONE ? b->cases[b->v_case[v]].n : 0),
                                    sizeof(*set));
  if (!d || !set) {
    psc_diags_free(d);
    free(set);
    return PSC_ENOMEM;
  }
  uint32_t n = psc__batch_changes(b, v, set, UINT32_MAX);
  psc_scenario_options_t so = {o->lenient, set, n};
  psc_scenario_t *s = NULL;
  int rc = psc_scenario_load_with(b->scenario, &so, d, &s);
  psc_batch_result_t *r = &b->res[v];
  if (!rc && o->replicates) {
    psc_sim_options_t sopt = psc_sim_options_default();
    sopt.replicates = o->replicates;
    sopt.threads = 1;
    psc_sim_t *sim = NULL;
    rc = psc_sim_run(s, &sopt, &sim);
    if (!rc) {
      plan_figures(b, v, psc_sim_plan(sim), base, r);
      sim_figures(sim, r);
    }
    psc_sim_free(sim);
  } else if (!rc) {
    psc_plan_options_t po = psc_plan_options_default();
    po.threads = 1;
    po.advise = 0;
    psc_plan_t *p = NULL;
    rc = psc_plan_create(s, &po, &p);
    if (!rc) {
      plan_figures(b, v, p, base, r);
      for (int l = 0; l < 3; l++)
        r->p_met[l] = r->p_lo[l] = r->p_hi[l] = NAN;
    }
    psc_plan_free(p);
  }
  r->done = rc == 0;
  psc_scenario_free(s);
  free(set);
  *dp = d;
  return rc;
}

/* Adds each diagnostic of src to dst unless dst holds the same one (a
 * grid value's problem is found once per variant that uses it). */
static int merge_diags(psc_diags_t *dst, const psc_diags_t *src) {
  size_t have = psc_diags_count(dst);
  for (size_t i = 0; i < psc_diags_count(src); i++) {
    const psc_diag_t *g = psc_diags_get(src, i);
    int dup = 0;
    for (size_t k = 0; k < have && !dup; k++) {
      const psc_diag_t *h = psc_diags_get(dst, k);
      dup = h->severity == g->severity && h->line == g->line && h->column == g->column &&
            !strcmp(h->file, g->file) && !strcmp(h->message, g->message);
    }
    if (!dup) {
      if (psc_diags_add(dst, g->severity, g->file, g->line, g->column, "%s", g->message))
        return PSC_ENOMEM;
      have++;
    }
  }
  return 0;
}

int psc_batch_run(psc_batch_t *b, const psc_batch_options_t *opt, psc_diags_t *d) {
  if (!b || !opt || !d || b->ran)
    return PSC_EINVAL;
  psc_scenario_options_t so = {opt->lenient, NULL, 0};
  int rc = psc_scenario_load_with(b->scenario, &so, d, &b->base_s);
  if (rc)
    return rc;
  const psc_scenario_t *s = b->base_s;
  b->nunits = psc_scenario_communities(s)->count + psc_scenario_streets(s)->count + 1;
  size_t cells = (size_t)b->nvariants * b->nunits;
  b->res = psc__calloc(b->nvariants, sizeof(*b->res));
  b->u_complete = psc__malloc(cells, sizeof(double));
  b->u_slack = psc__malloc(cells, sizeof(double));
  b->u_bound = psc__malloc(cells, sizeof(double));
  b->u_met = psc__calloc(cells, 1);
  psc_diags_t **vd = psc__calloc(b->nvariants, sizeof(*vd));
  int *vrc = psc__calloc(b->nvariants, sizeof(int));
  if (!b->res || !b->u_complete || !b->u_slack || !b->u_bound || !b->u_met || !vd || !vrc) {
    free(vd);
    free(vrc);
    return PSC_ENOMEM;
  }
  for (size_t i = 0; i < cells; i++)
    b->u_complete[i] = b->u_slack[i] = b->u_bound[i] = NAN;
  totals_t base = totals(s);
  int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
  uint32_t done = 0;
  int nranks = opt->nranks > 1 ? opt->nranks : 1;
  if (opt->rank < 0 || opt->rank >= nranks) {
    free(vd);
    free(vrc);
    return PSC_EINVAL;
  }
  uint32_t share = b->nvariants / (uint32_t)nranks +
                   ((uint32_t)opt->rank < b->nvariants % (uint32_t)nranks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (uint32_t v = 0; v < b->nvariants; v++) {
    if (v % (uint32_t)nranks != (uint32_t)opt->rank)
      continue; /* another process's share */
    vrc[v] = run_variant(b, v, opt, &base, &vd[v]);
#pragma omp critical(psc_batch_progress)
    {
      done++;
      if (opt->progress)
        opt->progress(opt->progress_ctx, done, share);
    }
  }
  rc = 0;
  for (uint32_t v = 0; v < b->nvariants; v++) {
    if (vd[v] && merge_diags(d, vd[v]))
      rc = PSC_ENOMEM;
    psc_diags_free(vd[v]);
    if (!rc && vrc[v])
      rc = vrc[v];
    else if (rc == PSC_EINPUT && vrc[v] && vrc[v] != PSC_EINPUT)
      rc = vrc[v];
  }
  free(vd);
  free(vrc);
  psc_diags_sort(d);
  b->ran = rc == 0;
  return rc;
}

static int write_report(const void *b, FILE *f) { return psc_report_batch(b, f); }

/* The fields of a record, in order; the bottleneck travels as its index. */
static const char *const BOTTLENECKS[] = {"labs", "sampling", "door-to-door", "transport"};
#define NFIELDS 37

size_t psc_batch_record_size(const psc_batch_t *b) {
  return b ? NFIELDS + 4 * (size_t)b->nunits : 0;
}

#define RECORD_FIELDS(X)                                                                         \
  X(done) X(residents) X(tubes) X(exceptions) X(streets) X(streets_met) X(keys) X(keys_met)      \
  X(district_met) X(district_complete) X(lower_bound) X(gap) X(tests_per_person)                 \
  X(bottleneck_util) X(lab_util) X(lab_fill) X(sampling_util) X(booths_added) X(teams_added)     \
  X(instruments_added) X(lab_tubes_per_day_added) X(swabs_per_day_added) X(replicates)           \
  X(p_met[0]) X(p_met[1]) X(p_met[2]) X(p_lo[0]) X(p_lo[1]) X(p_lo[2]) X(p_hi[0]) X(p_hi[1])     \
  X(p_hi[2]) X(sim_tests_per_person) X(sim_complete_p50) X(sim_complete_p95) X(sim_missed)

int psc_batch_record_get(const psc_batch_t *b, uint32_t v, double *rec) {
  if (!b || !b->ran || v >= b->nvariants || !rec || !b->res[v].done)
    return PSC_EINVAL;
  const psc_batch_result_t *r = &b->res[v];
  size_t k = 0;
#define GET(f) rec[k++] = (double)r->f;
  RECORD_FIELDS(GET)
#undef GET
  double code = 0;
  for (int i = 0; i < 4; i++)
    if (r->bottleneck && !strcmp(r->bottleneck, BOTTLENECKS[i]))
      code = i;
  rec[k++] = code;
  size_t at = (size_t)v * b->nunits;
  for (uint32_t u = 0; u < b->nunits; u++) {
    rec[k++] = b->u_complete[at + u];
    rec[k++] = b->u_slack[at + u];
    rec[k++] = b->u_bound[at + u];
    rec[k++] = b->u_met[at + u];
  }
  return 0;
}

int psc_batch_record_put(psc_batch_t *b, uint32_t v, const double *rec) {
  if (!b || !b->ran || v >= b->nvariants || !rec || !(rec[0] == 1) || !(rec[NFIELDS - 1] >= 0) ||
      !(rec[NFIELDS - 1] < 4))
    return PSC_EINVAL;
  psc_batch_result_t *r = &b->res[v];
  size_t k = 0;
#define PUT(f) r->f = (__typeof__(r->f))rec[k++];
  RECORD_FIELDS(PUT)
#undef PUT
  r->bottleneck = BOTTLENECKS[(int)rec[k++]];
  size_t at = (size_t)v * b->nunits;
  for (uint32_t u = 0; u < b->nunits; u++) {
    b->u_complete[at + u] = rec[k++];
    b->u_slack[at + u] = rec[k++];
    b->u_bound[at + u] = rec[k++];
    b->u_met[at + u] = (uint8_t)rec[k++];
  }
  return 0;
}

int psc_batch_write(const psc_batch_t *b, const char *outdir, int report) {
  if (!b || !outdir)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc_batch_write_to(b, set, report);
  psc_outset_free(set);
  return rc;
}

int psc_batch_write_to(const psc_batch_t *b, psc_outset_t *set, int report) {
  if (!b || !set || !b->ran)
    return PSC_EINVAL;
  for (uint32_t v = 0; v < b->nvariants; v++)
    if (!b->res[v].done)
      return PSC_EINVAL;
  /* report.html is the batch's own name: a run without it drops an older one */
  const psc__out_file_t files[] = {{"batch.h5", NULL, psc__batch_write_h5},
                                   {"batch.csv", psc__batch_write_csv, NULL},
                                   {"report.html", write_report, NULL}};
  return psc__outset_write(set, files, report ? 3 : 2, 3, b);
}
