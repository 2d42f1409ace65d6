/* The Monte Carlo: each replicate plays the plan with its own random
 * stream — site rates, staff, run failures, outages, turnout, infections
 * (households clustered), Ct values and test error — and records when every
 * unit completes and what the round found. Infections are drawn per
 * infected household (geometric skips), so a replicate costs in proportion
 * to households, tubes and positives, not to residents. */
#include "sim/sim_internal.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

psc_sim_options_t psc_sim_options_default(void) {
  psc_sim_options_t o = {1000, 0, 0, NULL, NULL, 0, 0};
  return o;
}

void psc_sim_free(psc_sim_t *sim) {
  if (!sim)
    return;
  psc_plan_free(sim->plan);
  free(sim->rep);
  free(sim->street_complete);
  free(sim->key_complete);
  free(sim->key_comm);
  free(sim->queue);
  free(sim->units);
  free(sim->group_first);
  free(sim->team_rate);
  free(sim->comm_walk);
  free(sim->have);
  free(sim);
}

uint32_t psc_sim_replicates(const psc_sim_t *sim) { return sim->R; }
const psc_sim_replicate_t *psc_sim_replicate(const psc_sim_t *sim, uint32_t r) {
  return &sim->rep[r];
}
size_t psc_sim_units(const psc_sim_t *sim) { return sim->nunits; }
const psc_sim_unit_t *psc_sim_unit(const psc_sim_t *sim, size_t i) { return &sim->units[i]; }
const psc_plan_t *psc_sim_plan(const psc_sim_t *sim) { return sim->plan; }
double psc_sim_street_complete(const psc_sim_t *sim, uint32_t r, uint32_t st) {
  return sim->street_complete[(size_t)r * sim->nstreets + st];
}
double psc_sim_peak_queue_mean(const psc_sim_t *sim, uint32_t site) {
  double sum = 0;
  for (uint32_t r = 0; r < sim->R; r++)
    sum += sim->queue[(size_t)r * sim->nsites + site];
  return sim->R ? sum / sim->R : 0;
}
double psc_sim_peak_queue_max(const psc_sim_t *sim, uint32_t site) {
  double m = 0;
  for (uint32_t r = 0; r < sim->R; r++)
    m = fmax(m, sim->queue[(size_t)r * sim->nsites + site]);
  return m;
}

/* Per-thread working memory. */
typedef struct {
  psc__eval_t e;
  double *site_mult, *tube_ct, *iso;
  double *sweep_result, *swept; /* per community, per street (turnout < 1) */
  uint8_t *tube_pos, *infected, *tube_called, *cell;
  float *res_ct;
  uint32_t *touched, *inf_list, *pos_tubes, *no_shows;
  uint32_t ntouched, ninf, niso;
  /* the retest round: the tube of each retest, and per community its last
   * result with them */
  uint32_t *rt_tube, nrt, rtcap;
  int rt_oom;
  double *comm_done;
} work_t;

static void work_free(work_t *w) {
  psc__eval_free(&w->e);
  free(w->site_mult);
  free(w->tube_ct);
  free(w->iso);
  free(w->tube_pos);
  free(w->infected);
  free(w->tube_called);
  free(w->cell);
  free(w->res_ct);
  free(w->touched);
  free(w->inf_list);
  free(w->pos_tubes);
  free(w->sweep_result);
  free(w->swept);
  free(w->no_shows);
  free(w->rt_tube);
  free(w->comm_done);
}

static int work_alloc(work_t *w, const psc_sim_t *sim) {
  memset(w, 0, sizeof(*w));
  const psc_plan_t *p = sim->plan;
  uint32_t nt = p->pk.ntubes, nr = psc_scenario_roster(sim->s)->residents;
  int rc = psc__eval_alloc(&w->e, &p->x);
  w->site_mult = psc__malloc(sim->nsites + 1, 8);
  w->tube_ct = psc__malloc(nt + 1, 8);
  w->iso = psc__malloc(nr + 1, 8);
  w->tube_pos = calloc(nt + 1, 1);
  w->tube_called = calloc(nt + 1, 1);
  w->cell = calloc(64 * 64 + 1, 1);
  w->infected = calloc(nr + 1, 1);
  w->res_ct = psc__malloc(nr + 1, sizeof(float));
  w->touched = psc__malloc(nt + 1, 4);
  w->inf_list = psc__malloc(nr + 1, 4);
  w->pos_tubes = psc__malloc(nt + 1, 4);
  uint32_t nc = psc_scenario_communities(sim->s)->count;
  w->sweep_result = calloc(nc + 1, 8);
  w->swept = calloc(sim->nstreets + 1, 8);
  w->no_shows = calloc(nc + 1, 4);
  w->comm_done = psc__malloc(nc + 1, 8);
  if (rc || !w->comm_done || !w->site_mult || !w->tube_ct || !w->iso || !w->tube_pos || !w->tube_called ||
      !w->cell || !w->infected || !w->res_ct || !w->touched || !w->inf_list || !w->pos_tubes ||
      !w->sweep_result || !w->swept || !w->no_shows) {
    work_free(w);
    return PSC_ENOMEM;
  }
  for (uint32_t t = 0; t < nt; t++)
    w->tube_ct[t] = INFINITY;
  return 0;
}

/* Detected? A sample (or a pool of k whose strongest positive has Ct ct)
 * is detectable when ct + log2 k <= lod (with the dilution model), then
 * found with probability se. */
static int detect(gsl_rng *g, const psc_params_t *par, double ct, uint32_t k) {
  if (par->sim_dilution && ct + log2((double)k) > par->sim_lod)
    return 0;
  return gsl_rng_uniform(g) < par->sim_se;
}

/* Retests members[from .. from + n) of tube t (or of an array row) alone:
 * an infected one is found when detectable and with Se; the others count as
 * false positives with 1 - Sp. */
static void retest_members(gsl_rng *g, const psc_params_t *par, const psc__pack_t *pk, work_t *w,
                           const psc__eval_t *e, uint32_t t, uint32_t from, uint32_t n,
                           psc_sim_replicate_t *out, double *retests) {
  uint32_t clean = 0;
  *retests += n;
  for (uint32_t j = from; j < from + n; j++) {
    uint32_t i = pk->members[j];
    if (w->nrt == w->rtcap) {
      uint32_t cap = w->rtcap ? w->rtcap * 2 : 1024;
      uint32_t *a = realloc(w->rt_tube, cap * 4ull);
      if (!a) {
        w->rt_oom = 1;
        continue;
      }
      w->rt_tube = a;
      w->rtcap = cap;
    }
    w->rt_tube[w->nrt++] = t;
    if (w->infected[i] == 1) {
      if (detect(g, par, w->res_ct[i], 1)) {
        out->found++;
        w->iso[w->niso++] = e->reported[t] - e->first_swab[t];
      }
    } else {
      clean++;
    }
  }
  if (clean)
    out->false_positives += gsl_ran_binomial(g, 1 - par->sim_sp, clean);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Operations: each site's rate multiplier (service time, staff), then the
 * plan played with them, run failures and outages into w->e; the peak
 * queue per site (fluid: residents arrive at the planned rate and are
 * served at m times it, so a slower site ends with (1 - m) of its work
 * waiting) into queue. */
static int operations(const psc_sim_t *sim, uint32_t r, gsl_rng *g, work_t *w, double *queue,
                      psc__variant_t *vout) {
  const psc_plan_t *p = sim->plan;
  const psc_params_t *par = psc_scenario_params(sim->s);
  const psc_sites_t *st = psc_scenario_sites(sim->s);
  for (uint32_t i = 0; i < sim->nsites; i++) {
    double m = 1;
    if (par->sim_service_cv > 0) {
      double shape = 1 / (par->sim_service_cv * par->sim_service_cv);
      m = gsl_ran_gamma(g, shape, 1 / shape);
    }
    if (par->sim_staff_shortfall > 0) {
      unsigned missing = gsl_ran_binomial(g, par->sim_staff_shortfall, st->booths[i]);
      unsigned left = st->booths[i] - missing;
      m *= (double)(left ? left : 1) / st->booths[i];
    }
    w->site_mult[i] = m;
  }
  psc__variant_t v = p->v;
  v.site_mult = w->site_mult;
  v.run_failure = par->sim_run_failure;
  v.fail_seed = psc__mix64(sim->seed ^ psc__mix64(r + 1));
  v.outages = sim->s->noutages > 0;
  int rc = psc__evaluate(&p->x, &v, &w->e);
  if (rc)
    return rc;
  *vout = v;
  for (uint32_t i = 0; i < sim->nsites; i++)
    queue[i] = 0;
  for (uint32_t k = 0; k < w->e.nsessions; k++) {
    uint32_t i = w->e.ses_site[k];
    queue[i] += w->e.ses_residents[k] * fmax(0, 1 - w->site_mult[i]);
  }
  return 0;
}

/* Turnout: each community's no-shows, swept door to door by its street's
 * teams in the plan's priority order (key communities first), each once
 * the community's own sampling is over; their results come sim->sweep_tail
 * after the sweep (w->sweep_result), moving street_done and *district.
 * Returns the sweep's pooled tubes. */
static double sweep(const psc_sim_t *sim, gsl_rng *g, work_t *w, psc_sim_replicate_t *out,
                    double *street_done, double *district) {
  const psc_params_t *par = psc_scenario_params(sim->s);
  const psc_communities_t *cm = psc_scenario_communities(sim->s);
  const psc__eval_t *e = &w->e;
  double extra_tubes = 0;
  for (uint32_t c = 0; c < cm->count; c++) {
    w->no_shows[c] = gsl_ran_binomial(g, 1 - par->sim_turnout, sim->comm_walk[c]);
    out->no_shows += w->no_shows[c];
    extra_tubes += ceil((double)w->no_shows[c] / par->pool_size);
    w->sweep_result[c] = 0;
  }
  for (uint32_t k = 0; k < sim->nstreets; k++)
    w->swept[k] = 0; /* when the street's teams are next free */
  for (uint32_t j = 0; j < cm->count; j++) {
    uint32_t c = sim->plan->x.order[j], k = cm->street[c], ns = w->no_shows[c];
    if (!ns || sim->team_rate[k] <= 0)
      continue; /* a street without a team cannot sweep: those residents stay untested */
    double start = fmax(w->swept[k], e->comm[c].sampling_end);
    w->swept[k] = start + ns / sim->team_rate[k];
    w->sweep_result[c] = w->swept[k] + sim->sweep_tail;
    street_done[k] = fmax(street_done[k], w->sweep_result[c]);
    *district = fmax(*district, w->sweep_result[c]);
  }
  return extra_tubes;
}

/* Infections: index households by geometric skips, then secondary cases
 * within them; each infected resident gets a Ct (w->infected, w->res_ct,
 * w->inf_list). */
static void infect(const psc_sim_t *sim, gsl_rng *g, work_t *w) {
  const psc_params_t *par = psc_scenario_params(sim->s);
  const psc_roster_t *ro = psc_scenario_roster(sim->s);
  double ph = sim->p_household;
  if (ph <= 0)
    return;
  for (int64_t h = -1;;) {
    h += ph >= 1 ? 1 : (int64_t)gsl_ran_geometric(g, ph);
    if (h >= (int64_t)ro->households)
      break;
    uint32_t a = ro->hh_first[h], b = ro->hh_first[h + 1], size = b - a;
    uint32_t index = a + (uint32_t)gsl_rng_uniform_int(g, size);
    for (uint32_t i = a; i < b; i++) {
      if (i != index && !(gsl_rng_uniform(g) < par->sim_sar))
        continue;
      w->infected[i] = 1;
      w->res_ct[i] = (float)(par->sim_ct_mean + gsl_ran_gaussian(g, par->sim_ct_sd));
      w->inf_list[w->ninf++] = i;
    }
  }
}

/* Pooled results and the retest round: the tubes holding positives
 * (no-shows go to the sweep instead), detected by the dilution model and
 * Se, the others false positive with 1 - Sp (geometric skips over tubes);
 * then every member of a positive pooled tube alone and, in an array with
 * a positive row or column, the residents the A2 rule names. Returns the
 * individual retests; counts positives found in the sweep into
 * *found_sweep. */
static double retest_round(const psc_sim_t *sim, gsl_rng *g, work_t *w, psc_sim_replicate_t *out,
                           uint32_t *found_sweep) {
  const psc_params_t *par = psc_scenario_params(sim->s);
  const psc__pack_t *pk = &sim->plan->pk;
  const psc__eval_t *e = &w->e;
  double retests = 0;
  for (uint32_t k = 0; k < w->ninf; k++) {
    uint32_t i = w->inf_list[k], t = pk->res_tube[i];
    if (t == PSC__NONE)
      continue; /* on an exception list: never tested */
    if (par->sim_turnout < 1 && pk->tube_stream[t] == PSC_STREAM_WALK_IN &&
        !(gsl_rng_uniform(g) < par->sim_turnout)) {
      w->infected[i] = 2; /* a no-show, tested in a sweep pool */
      if (detect(g, par, w->res_ct[i], (uint32_t)par->pool_size) && detect(g, par, w->res_ct[i], 1))
        (*found_sweep)++;
      continue;
    }
    for (int side = 0; side < 2; side++) { /* an array resident is also in a column */
      uint32_t tt = side ? pk->res_tube2[i] : t;
      if (tt == PSC__NONE)
        continue;
      if (!w->tube_pos[tt]) {
        w->tube_pos[tt] = 1;
        w->touched[w->ntouched++] = tt;
      }
      w->tube_ct[tt] = fmin(w->tube_ct[tt], w->res_ct[i]);
    }
  }
  uint32_t npos = 0;
  for (uint32_t k = 0; k < w->ntouched; k++) {
    uint32_t t = w->touched[k];
    if (detect(g, par, w->tube_ct[t], pk->tube_swabs[t]))
      w->pos_tubes[npos++] = t;
  }
  double fp = 1 - par->sim_sp;
  if (fp > 0) {
    for (int64_t t = -1;;) {
      t += (int64_t)gsl_ran_geometric(g, fp);
      if (t >= (int64_t)pk->ntubes)
        break;
      if (!w->tube_pos[t])
        w->pos_tubes[npos++] = (uint32_t)t;
    }
  }
  for (uint32_t k = 0; k < npos; k++)
    w->tube_called[w->pos_tubes[k]] = 1;
  for (uint32_t k = 0; k < npos; k++) {
    uint32_t t = w->pos_tubes[k];
    if (pk->tube_kind[t] == PSC__TUBE_POOL) {
      retest_members(g, par, pk, w, e, t, pk->member_first[t], pk->tube_swabs[t], out, &retests);
      continue;
    }
    /* an array, once (its first positive tube in this list) */
    uint32_t grp = pk->tube_group[t], a = sim->group_first[2 * grp],
             z = sim->group_first[2 * grp + 1];
    int first = 1;
    for (uint32_t u = a; u < t; u++)
      first &= !w->tube_called[u];
    if (!first)
      continue;
    uint32_t rows = 0, cols = 0;
    uint8_t rowpos[64] = {0}, colpos[64] = {0};
    for (uint32_t u = a; u < z; u++) {
      if (pk->tube_kind[u] == PSC__TUBE_ROW)
        rowpos[rows++] = w->tube_called[u];
      else
        colpos[cols++] = w->tube_called[u];
    }
    uint32_t rr = rows > cols ? rows : cols;
    psc_a2_retest(rr, rowpos, colpos, w->cell);
    for (uint32_t i = 0; i < rows; i++) {
      uint32_t row = a + i;
      for (uint32_t j = 0; j < pk->tube_swabs[row]; j++)
        if (w->cell[i * rr + j])
          retest_members(g, par, pk, w, e, row, pk->member_first[row] + j, 1, out, &retests);
    }
  }
  for (uint32_t k = 0; k < npos; k++)
    w->tube_called[w->pos_tubes[k]] = 0;
  return retests;
}

/* One replicate, into sim's arrays at row r. */
static int replicate(const psc_sim_t *sim, uint32_t r, work_t *w) {
  const psc_plan_t *p = sim->plan;
  const psc_params_t *par = psc_scenario_params(sim->s);
  const psc_roster_t *ro = psc_scenario_roster(sim->s);
  const psc_labs_t *lb = psc_scenario_labs(sim->s);
  gsl_rng *g = psc__rng_stream(sim->seed, PSC__RNG_SIM, r);
  if (!g)
    return PSC_ENOMEM;
  psc_sim_replicate_t *out = &sim->rep[r];
  memset(out, 0, sizeof(*out));
  psc__variant_t v;
  int rc = operations(sim, r, g, w, sim->queue + (size_t)r * sim->nsites, &v);
  if (rc) {
    gsl_rng_free(g);
    return rc;
  }
  const psc__eval_t *e = &w->e;
  double *street_done = sim->street_complete + (size_t)r * sim->nstreets;
  for (uint32_t k = 0; k < sim->nstreets; k++)
    street_done[k] = e->street[k].complete;
  double district = e->district.complete;
  double extra_tubes = par->sim_turnout < 1 ? sweep(sim, g, w, out, street_done, &district) : 0;
  w->ninf = w->ntouched = w->niso = w->nrt = 0;
  w->rt_oom = 0;
  infect(sim, g, w);
  out->positives = w->ninf;
  uint32_t found_sweep = 0;
  double retests = retest_round(sim, g, w, out, &found_sweep);
  /* a unit is complete when every resident's final result is out: the
   * retests run on the labs after the plan's runs under way, and may delay
   * pooled tubes not yet in a run (sim_retests.c) */
  psc__replay_out_t ro_labs;
  rc = w->rt_oom ? PSC_ENOMEM
                 : psc__sim_retest_labs(sim, &v, e, w->nrt, w->rt_tube, w->comm_done,
                                        &ro_labs);
  if (rc) {
    gsl_rng_free(g);
    return rc;
  }
  const psc_communities_t *cm = psc_scenario_communities(sim->s);
  for (uint32_t k = 0; k < sim->nstreets; k++)
    street_done[k] = NAN;
  district = NAN;
  for (uint32_t c = 0; c < cm->count; c++) {
    double d = w->comm_done[c];
    if (w->sweep_result[c] > 0)
      d = isnan(d) ? w->sweep_result[c] : fmax(d, w->sweep_result[c]);
    w->comm_done[c] = d;
    if (isnan(d))
      continue;
    uint32_t k = cm->street[c];
    street_done[k] = isnan(street_done[k]) ? d : fmax(street_done[k], d);
    district = isnan(district) ? d : fmax(district, d);
  }
  out->district_complete = district;
  for (uint32_t j = 0; j < sim->nkey; j++)
    sim->key_complete[(size_t)r * sim->nkey + j] = w->comm_done[sim->key_comm[j]];
  out->found += found_sweep;
  out->missed = out->positives - out->found;
  /* sweep pools: each detected positive's pool, and false-positive pools,
   * have all their members retested */
  if (extra_tubes > 0)
    retests += (found_sweep + gsl_ran_binomial(g, 1 - par->sim_sp, (unsigned)extra_tubes)) *
               (double)par->pool_size;
  out->tests_per_person = (p->pk.ntubes + extra_tubes + retests) / (double)ro->residents;
  out->failed_runs = e->failed_runs;
  for (uint32_t k = 0; k < ro_labs.nruns; k++)
    out->failed_runs += k >= ro_labs.kept && ro_labs.run_tubes[k] == 0;
  if (w->niso) {
    double sum = 0;
    for (uint32_t k = 0; k < w->niso; k++)
      sum += w->iso[k];
    qsort(w->iso, w->niso, sizeof(double), cmp_double);
    out->isolation_mean = sum / w->niso;
    out->isolation_p95 = w->iso[(size_t)ceil(0.95 * w->niso) - 1];
  } else {
    out->isolation_mean = out->isolation_p95 = NAN;
  }
  /* lab utilisation up to the district's completion */
  double used = 0, avail = 0;
  for (uint32_t k = 0; k < ro_labs.nruns; k++)
    used += fmax(0, fmin(ro_labs.run_end[k], district) - ro_labs.run_start[k]);
  psc__replay_out_free(&ro_labs);
  for (uint32_t l = 0; l < lb->count; l++)
    avail += lb->instruments[l] * psc__hours_open_between(&p->x.lab_hours[l], 0, district);
  out->lab_utilisation = avail > 0 ? used / avail : 0;
  /* reset the touched entries for the next replicate */
  for (uint32_t k = 0; k < w->ntouched; k++) {
    w->tube_pos[w->touched[k]] = 0;
    w->tube_ct[w->touched[k]] = INFINITY;
  }
  for (uint32_t k = 0; k < w->ninf; k++)
    w->infected[w->inf_list[k]] = 0;
  gsl_rng_free(g);
  return 0;
}

/* Wilson score interval for k successes in n at 95 %. */
static void wilson(uint32_t k, uint32_t n, double *lo, double *hi) {
  double z = 1.959963984540054, ph = (double)k / n, z2 = z * z / n;
  double centre = (ph + z2 / 2) / (1 + z2);
  double half = z * sqrt(ph * (1 - ph) / n + z * z / (4.0 * n * n)) / (1 + z2);
  *lo = fmax(0, centre - half);
  *hi = fmin(1, centre + half);
}

static int summarise(psc_sim_t *sim, psc_sim_unit_t *u, const double *complete, size_t stride,
                     double deadline) {
  double *v = psc__malloc(sim->R + 1, 8);
  if (!v)
    return PSC_ENOMEM;
  uint32_t met = 0;
  for (uint32_t r = 0; r < sim->R; r++) {
    v[r] = complete[(size_t)r * stride];
    met += v[r] <= deadline + 1e-9;
  }
  u->p_met = (double)met / sim->R;
  wilson(met, sim->R, &u->p_met_lo, &u->p_met_hi);
  qsort(v, sim->R, sizeof(double), cmp_double);
  u->complete_p50 = v[(size_t)ceil(0.50 * sim->R) - 1];
  u->complete_p95 = v[(size_t)ceil(0.95 * sim->R) - 1];
  free(v);
  return 0;
}

/* What every replicate shares, from the scenario and its plan: the key
 * communities, the output arrays, each array's tubes, the turnout sweep's
 * rates and the chance a household has an index case. */
static int prepare(psc_sim_t *sim) {
  const psc_scenario_t *s = sim->s;
  const psc_params_t *par = psc_scenario_params(s);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_roster_t *ro = psc_scenario_roster(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc__pack_t *pk = &sim->plan->pk;
  sim->nstreets = psc_scenario_streets(s)->count;
  sim->nsites = st->count;
  sim->key_comm = psc__malloc(cm->count + 1, 4);
  sim->rep = calloc(sim->R, sizeof(psc_sim_replicate_t));
  sim->street_complete = psc__malloc((size_t)sim->R * sim->nstreets + 1, 8);
  sim->queue = psc__malloc((size_t)sim->R * sim->nsites + 1, 8);
  sim->group_first = psc__malloc(2 * (size_t)pk->narrays + 1, 4);
  sim->team_rate = calloc(sim->nstreets + 1, 8);
  sim->comm_walk = calloc(cm->count + 1, 4);
  if (!sim->key_comm || !sim->rep || !sim->street_complete || !sim->queue || !sim->group_first ||
      !sim->team_rate || !sim->comm_walk)
    return PSC_ENOMEM;
  for (uint32_t c = 0; c < cm->count; c++)
    if (cm->key[c] && cm->population[c])
      sim->key_comm[sim->nkey++] = c;
  sim->key_complete = psc__malloc((size_t)sim->R * sim->nkey + 1, 8);
  if (!sim->key_complete)
    return PSC_ENOMEM;
  /* each array's tubes: group_first[2g] .. group_first[2g + 1] */
  for (uint32_t t = 0; t < pk->ntubes; t++) {
    uint32_t grp = pk->tube_group[t];
    if (grp == PSC__NONE)
      continue;
    if (t == 0 || pk->tube_group[t - 1] != grp)
      sim->group_first[2 * grp] = t;
    sim->group_first[2 * grp + 1] = t + 1;
  }
  /* the sweep: its teams' rates, who could be a no-show, and the results
   * a transport batch, a trip, the shortest run and the report after it */
  for (uint32_t i = 0; i < sim->nsites; i++)
    if (st->kind[i] == PSC_SITE_DOOR_TO_DOOR)
      sim->team_rate[st->street[i]] += st->booths[i] * st->rate[i] / 60.0;
  for (uint32_t c = 0; c < cm->count; c++)
    for (uint32_t t = pk->comm_tube_first[PSC_STREAMS * c];
         t < pk->comm_tube_first[PSC_STREAMS * c + 1]; t++)
      sim->comm_walk[c] += pk->tube_work[t];
  double min_run = INFINITY;
  for (uint32_t l = 0; l < lb->count; l++)
    min_run = fmin(min_run, lb->run_minutes[l]);
  sim->sweep_tail =
      par->batch_minutes + 30 + par->handover_minutes + min_run + par->report_minutes;
  /* households are infected with the probability that gives the prevalence
   * once secondary cases are counted */
  double expected_per_hh = 0;
  for (uint32_t h = 0; h < ro->households; h++)
    expected_per_hh += 1 + (ro->hh_first[h + 1] - ro->hh_first[h] - 1) * par->sim_sar;
  sim->p_household =
      expected_per_hh > 0 ? fmin(1, par->sim_prevalence * ro->residents / expected_per_hh) : 0;
  return 0;
}

/* Every replicate, in parallel (each its own random stream and working
 * memory, so the results do not depend on the thread count). */
static int run_replicates(psc_sim_t *sim, const psc_sim_options_t *o) {
  int saved = omp_get_max_threads();
  if (o->threads > 0)
    omp_set_num_threads(o->threads);
  int failed = 0;
  uint32_t done = 0;
  const int64_t R = sim->R;
  /* this process's share (MPI): replicate r runs on rank r % nranks */
  const int64_t nranks = o->nranks > 1 ? o->nranks : 1, rank = o->rank;
  const uint32_t share = (uint32_t)(R / nranks + (rank < R % nranks));
#pragma omp parallel
  {
    work_t w;
    int wrc = work_alloc(&w, sim);
    if (wrc) {
#pragma omp atomic write
      failed = wrc;
    }
#pragma omp for schedule(dynamic, 1)
    for (int64_t r = 0; r < R; r++) {
      if (wrc || failed || r % nranks != rank)
        continue;
      int rrc = replicate(sim, (uint32_t)r, &w);
      sim->have[r] = 1;
      if (rrc) {
#pragma omp atomic write
        failed = rrc;
      }
#pragma omp critical(psc_sim_progress)
      {
        done++;
        if (o->progress)
          o->progress(o->progress_ctx, done, share);
      }
    }
    if (!wrc)
      work_free(&w);
  }
  omp_set_num_threads(saved);
  return failed;
}

/* The units' chances and quantiles: streets, key communities, the district. */
static int aggregate(psc_sim_t *sim) {
  const psc_params_t *par = psc_scenario_params(sim->s);
  sim->nunits = sim->nstreets + sim->nkey + 1;
  sim->units = calloc(sim->nunits, sizeof(psc_sim_unit_t));
  double *district = psc__malloc(sim->R + 1, 8);
  int rc = sim->units && district ? 0 : PSC_ENOMEM;
  size_t u = 0;
  for (uint32_t k = 0; !rc && k < sim->nstreets; k++, u++) {
    sim->units[u] = (psc_sim_unit_t){1, k, 0, 0, 0, 0, 0};
    rc = summarise(sim, &sim->units[u], sim->street_complete + k, sim->nstreets,
                   psc_plan_street(sim->plan, k)->deadline);
  }
  for (uint32_t j = 0; !rc && j < sim->nkey; j++, u++) {
    sim->units[u] = (psc_sim_unit_t){0, sim->key_comm[j], 0, 0, 0, 0, 0};
    rc = summarise(sim, &sim->units[u], sim->key_complete + j, sim->nkey,
                   par->deadline_key_h * 60.0);
  }
  if (!rc) {
    sim->units[u] = (psc_sim_unit_t){2, 0, 0, 0, 0, 0, 0};
    for (uint32_t r = 0; r < sim->R; r++)
      district[r] = sim->rep[r].district_complete;
    rc = summarise(sim, &sim->units[u], district, 1, par->deadline_district_h * 60.0);
  }
  free(district);
  return rc;
}

int psc_sim_finish(psc_sim_t *sim) {
  if (!sim || sim->finished)
    return PSC_EINVAL;
  for (uint32_t r = 0; r < sim->R; r++)
    if (!sim->have[r])
      return PSC_EINVAL;
  int rc = aggregate(sim);
  sim->finished = rc == 0;
  return rc;
}

int psc_sim_run(const psc_scenario_t *s, const psc_sim_options_t *opt, psc_sim_t **out) {
  if (!s || !out)
    return PSC_EINVAL;
  *out = NULL;
  psc_sim_options_t o = opt ? *opt : psc_sim_options_default();
  if (o.replicates < 1 || o.replicates > 10000000 || o.rank < 0 ||
      o.rank >= (o.nranks > 1 ? o.nranks : 1))
    return PSC_EINVAL;
  psc_sim_t *sim = calloc(1, sizeof(*sim));
  if (!sim)
    return PSC_ENOMEM;
  sim->s = s;
  sim->R = o.replicates;
  sim->seed = o.seed ? o.seed : psc_scenario_params(s)->seed;
  psc_plan_options_t po = psc_plan_options_default();
  po.threads = o.threads;
  po.advise = 0;
  int rc = psc_plan_create(s, &po, &sim->plan);
  if (!rc)
    rc = prepare(sim);
  if (!rc && !(sim->have = calloc(sim->R, 1)))
    rc = PSC_ENOMEM;
  if (!rc)
    rc = run_replicates(sim, &o);
  if (!rc && o.nranks <= 1)
    rc = psc_sim_finish(sim);
  if (rc) {
    psc_sim_free(sim);
    return rc;
  }
  *out = sim;
  return 0;
}
