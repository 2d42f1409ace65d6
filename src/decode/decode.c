/* Decoding: round 1 turns pool results into temporary control, scheduled
 * individual retests, reruns and pending tubes; round 2 turns retest results
 * into confirmed positives, their households, releases, and positive pools
 * whose members all tested negative. */
#include "decode/decode_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"

void psc_decode_free(psc_decode_t *dc) {
  if (!dc)
    return;
  psc__plan_view_free(&dc->v);
  free(dc->input);
  free(dc->result);
  free(dc->ct);
  free(dc->control_res);
  free(dc->rt_start);
  free(dc->rt_end);
  free(dc->rt_result);
  free(dc->rt_team);
  free(dc->rt_lab);
  free(dc->comm_after);
  free(dc->street_after);
  psc__replay_out_free(&dc->replay);
  free(dc->pool_all_negative);
  free(dc->hh_confirmed);
  free(dc->members);
  free(dc->names_res.raw);
  free(dc->names_hh.raw);
  free(dc->members_res.raw);
  free(dc->members_hh.raw);
  free(dc);
}

const psc_decode_summary_t *psc_decode_summary(const psc_decode_t *dc) { return &dc->sum; }

static double dist(double ax, double ay, double bx, double by) {
  return sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));
}

/* The team that samples retests of community c: a door-to-door team of its
 * street (the one free first), else the street's nearest fixed site, else
 * its nearest site. Sites are indexed by street (street_first). */
static uint32_t pick_team(const psc__plan_view_t *v, uint32_t c, const double *free_at,
                          const uint32_t *street_first, const uint32_t *by_street) {
  uint32_t st = v->comm_street[c], best = PSC__NONE;
  for (int pass = 0; pass < 3 && best == PSC__NONE; pass++) {
    double best_key = INFINITY;
    for (uint32_t j = street_first[st]; j < street_first[st + 1]; j++) {
      uint32_t i = by_street[j];
      int ok = pass == 0 ? v->site_kind[i] == PSC_SITE_DOOR_TO_DOOR
               : pass == 1 ? v->site_kind[i] == PSC_SITE_FIXED : 1;
      if (!ok)
        continue;
      double key = pass == 0 ? free_at[i] : dist(v->comm_x[c], v->comm_y[c], v->site_x[i], v->site_y[i]);
      if (key < best_key) {
        best_key = key;
        best = i;
      }
    }
  }
  return best;
}

typedef struct {
  double reported;
  uint32_t t;
} by_report_t;

static int cmp_report(const void *a, const void *b) {
  const by_report_t *x = a, *y = b;
  if (x->reported != y->reported)
    return x->reported < y->reported ? -1 : 1;
  return (x->t > y->t) - (x->t < y->t);
}

/* Orders tubes by the time their result was reported, then by index. */
static void sort_by_report(uint32_t *tubes, uint32_t n, const double *reported) {
  by_report_t *k = psc__malloc(n + 1, sizeof(*k));
  if (!k) { /* without memory, index order: still complete and deterministic */
    return;
  }
  for (uint32_t i = 0; i < n; i++)
    k[i] = (by_report_t){reported[tubes[i]], tubes[i]};
  qsort(k, n, sizeof(*k), cmp_report);
  for (uint32_t i = 0; i < n; i++)
    tubes[i] = k[i].t;
  free(k);
}

/* Everyone to retest, in tube order, and when each was decided: every
 * member of a positive pooled tube; in an array whose row and column tubes
 * all have a result (none invalid), exactly the residents the A2 rule names.
 * Fills dc->control_res (and *ready, to free). */
static int control_list(psc_decode_t *dc, double **ready_out, uint32_t *n_out) {
  const psc__plan_view_t *v = &dc->v;
  /* at most: the members of positive pooled tubes and everyone in an array
   * (the view lists array residents under their row tubes) */
  uint32_t cap = 0;
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (dc->result[t] == RES_POSITIVE || v->tube_array[t] >= 0)
      cap += v->member_first[t + 1] - v->member_first[t];
  dc->control_res = psc__malloc(cap + 1, 4);
  double *ready = psc__malloc(cap + 1, 8);
  uint8_t *rowpos = NULL, *colpos = NULL, *cell = NULL;
  /* the members of those tubes, in resident order, by one pass over
   * residents/tube: tube t's end at slot[t] in mem */
  uint32_t *slot = psc__malloc(v->ntubes + 1, 4), *mem = psc__malloc(cap + 1, 4);
  if (!dc->control_res || !ready || !slot || !mem) {
    free(ready);
    free(slot);
    free(mem);
    return PSC_ENOMEM;
  }
  for (uint32_t t = 0, acc = 0; t < v->ntubes; t++) {
    slot[t] = PSC__NONE;
    if (dc->result[t] == RES_POSITIVE || v->tube_array[t] >= 0) {
      slot[t] = acc;
      acc += v->member_first[t + 1] - v->member_first[t];
    }
  }
  for (uint32_t i = 0; i < v->nres; i++) {
    int32_t t = v->res_tube[i];
    if (t >= 0 && slot[t] != PSC__NONE)
      mem[slot[t]++] = i;
  }
#define MEMBERS(t) (mem + slot[t] - (v->member_first[(t) + 1] - v->member_first[t]))
  uint32_t n = 0;
  for (uint32_t t = 0; t < v->ntubes;) {
    if (v->tube_array[t] < 0) {
      if (dc->result[t] == RES_POSITIVE)
        for (uint32_t m = 0; m < v->member_first[t + 1] - v->member_first[t]; m++) {
          dc->control_res[n] = MEMBERS(t)[m];
          ready[n++] = v->tube_reported[t];
        }
      t++;
      continue;
    }
    /* one array: its row tubes, then its column tubes */
    uint32_t a = t, rows = 0, cols = 0;
    int decided = 1;
    double at = 0;
    while (t < v->ntubes && v->tube_array[t] == v->tube_array[a]) {
      rows += v->tube_kind[t] == PSC__TUBE_ROW;
      cols += v->tube_kind[t] == PSC__TUBE_COLUMN;
      decided &= dc->result[t] == RES_POSITIVE || dc->result[t] == RES_NEGATIVE;
      at = fmax(at, v->tube_reported[t]);
      t++;
    }
    if (!decided)
      continue; /* a pending or invalid tube: the array waits (pending.csv, rerun.csv) */
    uint32_t r = rows > cols ? rows : cols;
    free(rowpos);
    free(colpos);
    free(cell);
    rowpos = calloc(r, 1);
    colpos = calloc(r, 1);
    cell = calloc((size_t)r * r, 1);
    if (!rowpos || !colpos || !cell) {
      free(rowpos);
      free(colpos);
      free(cell);
      free(ready);
      free(slot);
      free(mem);
      return PSC_ENOMEM;
    }
    for (uint32_t i = 0; i < rows; i++)
      rowpos[i] = dc->result[a + i] == RES_POSITIVE;
    for (uint32_t j = 0; j < cols; j++)
      colpos[j] = dc->result[a + rows + j] == RES_POSITIVE;
    psc_a2_retest(r, rowpos, colpos, cell);
    for (uint32_t i = 0; i < rows; i++) {
      uint32_t row = a + i;
      for (uint32_t j = 0; j < v->member_first[row + 1] - v->member_first[row]; j++)
        if (cell[i * r + j]) {
          dc->control_res[n] = MEMBERS(row)[j];
          ready[n++] = at;
        }
    }
  }
  free(rowpos);
  free(colpos);
  free(cell);
  free(slot);
  free(mem);
#undef MEMBERS
  *ready_out = ready;
  *n_out = n;
  return 0;
}

/* The lab model of the plan, as plan.h5 describes it. */
static int lab_model(const psc__plan_view_t *v, psc__hours_t **hours, psc__labmodel_t *m) {
  *hours = psc__malloc(v->nlabs + 1, sizeof(psc__hours_t));
  if (!*hours)
    return PSC_ENOMEM;
  for (uint32_t l = 0; l < v->nlabs; l++)
    (*hours)[l] = psc__hours(v->lab_open[l], v->lab_close[l], (int32_t)v->t0_clock);
  *m = (psc__labmodel_t){.nlabs = v->nlabs, .nsites = v->nsites, .inst = v->lab_inst,
                         .wells = v->lab_wells, .run_min = v->lab_run_min, .hours = *hours,
                         .near_lab = v->near_lab, .near_lab_min = v->near_lab_min,
                         .report_min = v->report_min, .planned = v->run_start_planned,
                         .hold = v->hold};
  return 0;
}

/* Schedules dc->control_res's retests (ready[k]: when resident k's result
 * decided it) in that order on their street's teams; each tube leaves its
 * team when sampled and is run by the plan's lab model (psc__lab_replay):
 * on the labs' instruments, wells, run lengths and hours, after the plan's
 * runs already under way, before every pooled tube not yet in a run. */
static int schedule_retests(psc_decode_t *dc, const double *ready) {
  const psc__plan_view_t *v = &dc->v;
  uint32_t n = dc->ncontrol;
  int rc = PSC_ENOMEM;
  double *free_at = psc__malloc(v->nsites + 1, 8), *deadline = psc__malloc(v->ntubes + 1, 8);
  uint32_t *street_first = calloc(v->nstreets + 2, 4), *by_street = psc__malloc(v->nsites + 1, 4);
  psc__hours_t *hours = NULL;
  dc->rt_start = psc__malloc(n + 1, 8);
  dc->rt_end = psc__malloc(n + 1, 8);
  dc->rt_result = psc__malloc(n + 1, 8);
  dc->rt_team = psc__malloc(n + 1, 4);
  dc->rt_lab = psc__malloc(n + 1, 4);
  if (!free_at || !deadline || !street_first || !by_street || !dc->rt_start || !dc->rt_end ||
      !dc->rt_result || !dc->rt_team || !dc->rt_lab)
    goto done;
  memcpy(free_at, v->site_busy_until, v->nsites * sizeof(double));
  /* sites by street, in site order */
  for (uint32_t i = 0; i < v->nsites; i++)
    street_first[v->site_street[i] + 2]++;
  for (uint32_t st = 0; st < v->nstreets; st++)
    street_first[st + 2] += street_first[st + 1];
  for (uint32_t i = 0; i < v->nsites; i++)
    by_street[street_first[v->site_street[i] + 1]++] = i;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t i = dc->control_res[k], c = psc__res_comm(v, i);
    uint32_t team = pick_team(v, c, free_at, street_first, by_street);
    psc__hours_t h = psc__hours(v->site_open[team], v->site_close[team], (int32_t)v->t0_clock);
    double start = psc__hours_next_open(&h, fmax(ready[k], free_at[team]));
    double end = psc__hours_advance(&h, start, 60.0 / (v->site_booths[team] * v->site_rate[team]));
    free_at[team] = end;
    dc->rt_team[k] = team;
    dc->rt_start[k] = start;
    dc->rt_end[k] = end;
  }
  /* each pooled tube's deadline: its key community's or its street's */
  for (uint32_t t = 0; t < v->ntubes; t++) {
    uint32_t c = v->tube_comm[t];
    deadline[t] = v->comm_key[c] ? v->comm_deadline[c] : v->street_deadline[v->comm_street[c]];
  }
  psc__replay_in_t in = {.nruns = v->nruns, .run_lab = v->run_lab, .run_inst = v->run_inst,
                         .run_start = v->run_start, .run_end = v->run_end,
                         .ntubes = v->ntubes, .tube_lab = v->tube_lab, .tube_run = v->tube_run,
                         .tube_arrived = v->tube_arrived, .tube_deadline = deadline,
                         .tube_reported = v->tube_reported, .nretests = n,
                         .rt_site = dc->rt_team, .rt_departed = dc->rt_end};
  if ((rc = lab_model(v, &hours, &in.m)) || (rc = psc__lab_replay(&in, &dc->replay)))
    goto done;
  for (uint32_t k = 0; k < n && !rc; k++) {
    dc->rt_lab[k] = dc->replay.rt_lab[k];
    dc->rt_result[k] = dc->replay.rt_reported[k];
    if (dc->rt_lab[k] == PSC__NONE)
      rc = PSC_EINFEASIBLE; /* no lab the team reaches ever runs it */
  }
done:
  free(hours);
  free(free_at);
  free(deadline);
  free(street_first);
  free(by_street);
  return rc;
}

/* Completion of key communities, streets and the district once the
 * retests are in, from the replayed lab schedule: a community is complete
 * when its last tube (re-timed by the retests) and its last retest are
 * reported; a unit with a pending or invalid tube is not complete,
 * whatever its other results. */
static int verdicts_after(psc_decode_t *dc) {
  const psc__plan_view_t *v = &dc->v;
  psc_decode_summary_t *s = &dc->sum;
  dc->comm_after = psc__malloc(v->ncomm + 1, 8);
  dc->street_after = psc__malloc(v->nstreets + 1, 8);
  uint8_t *open_comm = calloc(v->ncomm + 1, 1);
  if (!dc->comm_after || !dc->street_after || !open_comm) {
    free(open_comm);
    return PSC_ENOMEM;
  }
  for (uint32_t c = 0; c < v->ncomm; c++)
    dc->comm_after[c] = NAN;
  for (uint32_t t = 0; t < v->ntubes; t++) {
    uint32_t c = v->tube_comm[t];
    double r = dc->replay.tube_reported[t];
    dc->comm_after[c] = isnan(dc->comm_after[c]) ? r : fmax(dc->comm_after[c], r);
    if (dc->result[t] == RES_NONE || dc->result[t] == RES_INVALID)
      open_comm[c] = 1;
  }
  for (uint32_t j = 0; j < dc->ncontrol; j++) {
    uint32_t c = psc__res_comm(v, dc->control_res[j]);
    dc->comm_after[c] = fmax(dc->comm_after[c], dc->rt_result[j]);
  }
  for (uint32_t c = 0; c < v->ncomm; c++)
    if (open_comm[c])
      dc->comm_after[c] = INFINITY;
  free(open_comm);
  for (uint32_t st = 0; st < v->nstreets; st++)
    dc->street_after[st] = NAN;
  double district = NAN;
  for (uint32_t c = 0; c < v->ncomm; c++) {
    uint32_t st = v->comm_street[c];
    if (isnan(dc->comm_after[c]))
      continue;
    dc->street_after[st] = isnan(dc->street_after[st]) ? dc->comm_after[c]
                                                         : fmax(dc->street_after[st], dc->comm_after[c]);
    district = isnan(district) ? dc->comm_after[c] : fmax(district, dc->comm_after[c]);
  }
  s->district_complete_before = v->district_complete;
  s->district_complete_after = district;
  snprintf(s->start, sizeof s->start, "%s", v->start);
  s->units = 1;
  s->units_met_before = v->district_complete <= v->district_deadline + 1e-9;
  s->units_met_after = district <= v->district_deadline + 1e-9;
  for (uint32_t c = 0; c < v->ncomm; c++) {
    if (!v->comm_key[c] || isnan(v->comm_complete[c]))
      continue;
    s->units++;
    s->units_met_before += v->comm_complete[c] <= v->comm_deadline[c] + 1e-9;
    s->units_met_after += dc->comm_after[c] <= v->comm_deadline[c] + 1e-9;
  }
  for (uint32_t st = 0; st < v->nstreets; st++) {
    if (isnan(v->street_complete[st]))
      continue;
    s->units++;
    s->units_met_before += v->street_complete[st] <= v->street_deadline[st] + 1e-9;
    s->units_met_after += dc->street_after[st] <= v->street_deadline[st] + 1e-9;
  }
  return 0;
}

static int round1(psc_decode_t *dc) {
  psc__plan_view_t *v = &dc->v;
  psc_decode_summary_t *s = &dc->sum;
  s->round = 1;
  s->tubes = v->ntubes;
  for (uint32_t t = 0; t < v->ntubes; t++) {
    s->positive_tubes += dc->result[t] == RES_POSITIVE;
    s->negative_tubes += dc->result[t] == RES_NEGATIVE;
    s->invalid_tubes += dc->result[t] == RES_INVALID;
    s->pending_tubes += dc->result[t] == RES_NONE;
  }
  double *ready = NULL;
  uint32_t n = 0;
  int rc = control_list(dc, &ready, &n);
  if (rc)
    return rc;
  dc->ncontrol = n;
  s->under_control = s->retests = n;
  /* retests in the order their results were decided (then list order) */
  uint32_t *order = psc__malloc(n + 1, 4), *sorted_res = psc__malloc(n + 1, 4);
  double *sorted_ready = psc__malloc(n + 1, 8);
  if (!order || !sorted_res || !sorted_ready) {
    free(order);
    free(sorted_res);
    free(sorted_ready);
    free(ready);
    return PSC_ENOMEM;
  }
  for (uint32_t k = 0; k < n; k++)
    order[k] = k;
  sort_by_report(order, n, ready);
  for (uint32_t k = 0; k < n; k++) {
    sorted_res[k] = dc->control_res[order[k]];
    sorted_ready[k] = ready[order[k]];
  }
  free(dc->control_res);
  dc->control_res = sorted_res;
  free(ready);
  free(order);
  rc = schedule_retests(dc, sorted_ready);
  free(sorted_ready);
  if (!rc)
    rc = verdicts_after(dc);
  if (!rc)
    rc = psc__plan_view_names(dc->input, v, dc->control_res, n, &dc->names_res, &dc->names_hh,
                              NULL);
  return rc;
}

static int round2(psc_decode_t *dc) {
  psc__plan_view_t *v = &dc->v;
  psc_decode_summary_t *s = &dc->sum;
  s->round = 2;
  s->retests = v->nretests;
  dc->pool_all_negative = calloc(v->ntubes + 1, 1);
  uint8_t *pool_seen = calloc(v->ntubes + 1, 1);
  if (!dc->pool_all_negative || !pool_seen) {
    free(pool_seen);
    return PSC_ENOMEM;
  }
  /* a positive pool is flagged when every member's retest is negative */
  for (uint32_t k = 0; k < v->nretests; k++) {
    uint32_t t = v->rt_pool_tube[k];
    if (!pool_seen[t]) {
      pool_seen[t] = 1;
      dc->pool_all_negative[t] = 1;
    }
    if (dc->result[k] != RES_NEGATIVE)
      dc->pool_all_negative[t] = 0;
    s->confirmed += dc->result[k] == RES_POSITIVE;
    s->released += dc->result[k] == RES_NEGATIVE;
    s->retests_pending += dc->result[k] == RES_NONE;
    s->retests_invalid += dc->result[k] == RES_INVALID;
  }
  for (uint32_t t = 0; t < v->ntubes; t++) {
    s->pools_all_negative += dc->pool_all_negative[t];
    s->pools_invalid += v->pool_result[t] == RES_INVALID;
    s->pools_pending += v->pool_result[t] == RES_NONE;
  }
  free(pool_seen);
  /* everyone in a confirmed positive's household */
  dc->hh_confirmed = calloc(v->nhh + 1, 1);
  if (!dc->hh_confirmed)
    return PSC_ENOMEM;
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_POSITIVE)
      dc->hh_confirmed[v->res_hh[v->rt_res[k]]] = 1;
  for (uint32_t i = 0; i < v->nres; i++)
    s->household_members += dc->hh_confirmed[v->res_hh[i]];
  dc->members = psc__malloc(s->household_members + 1, 4);
  if (!dc->members)
    return PSC_ENOMEM;
  for (uint32_t i = 0; i < v->nres; i++)
    if (dc->hh_confirmed[v->res_hh[i]])
      dc->members[dc->nmembers++] = i;
  int rc = psc__plan_view_names(dc->input, v, v->rt_res, v->nretests, &dc->names_res,
                                &dc->names_hh, NULL);
  if (!rc)
    rc = psc__plan_view_names(dc->input, v, dc->members, dc->nmembers, &dc->members_res,
                              &dc->members_hh, NULL);
  return rc;
}

/* Round 1's results.csv, read on a thread of its own while the plan file's
 * other columns are read (psc__view_hook_t): against a copy of the view
 * holding the tube ids, into its own diagnostics, added to the caller's
 * once the plan is read (a plan that fails to load reports only its own). */
typedef struct {
  const char *path;
  psc__plan_view_t snap;
  uint8_t *result;
  double *ct;
  psc_diags_t *d;
  pthread_t th;
  int started, rc;
} results_job_t;

static void *results_main(void *p) {
  results_job_t *j = p;
  j->rc = psc__read_results(j->path, &j->snap.tube_id, 1, &j->snap, j->result, j->ct, j->d);
  return NULL;
}

static void results_job_free(results_job_t *j) {
  free(j->result);
  free(j->ct);
  psc_diags_free(j->d);
  j->result = NULL;
  j->ct = NULL;
  j->d = NULL;
}

static void results_start(void *ctx, const psc__plan_view_t *v) {
  results_job_t *j = ctx;
  j->snap = *v;
  j->result = psc__malloc(v->ntubes + 1, 1);
  j->ct = psc__malloc(v->ntubes + 1, 8);
  j->d = psc_diags_create();
  j->started = j->result && j->ct && j->d && pthread_create(&j->th, NULL, results_main, j) == 0;
  if (!j->started) /* read after the plan instead */
    results_job_free(j);
}

static void results_wait(void *ctx) {
  results_job_t *j = ctx;
  if (j->started)
    pthread_join(j->th, NULL);
}

/* The thread's diagnostics after the caller's; its code (or PSC_ENOMEM). */
static int results_take(results_job_t *j, psc_decode_t *dc, psc_diags_t *diags) {
  int rc = j->rc;
  for (size_t i = 0; i < psc_diags_count(j->d); i++) {
    const psc_diag_t *g = psc_diags_get(j->d, i);
    if (psc_diags_add(diags, g->severity, g->file, g->line, g->column, "%s", g->message))
      rc = PSC_ENOMEM;
  }
  dc->result = j->result;
  dc->ct = j->ct;
  j->result = NULL;
  j->ct = NULL;
  results_job_free(j);
  return rc;
}

int psc_decode_run(const char *plan_h5, const char *results_csv, psc_diags_t *diags,
                   psc_decode_t **out) {
  if (!plan_h5 || !results_csv || !diags || !out)
    return PSC_EINVAL;
  *out = NULL;
  psc_decode_t *dc = calloc(1, sizeof(*dc));
  if (!dc || !(dc->input = psc__strdup(plan_h5))) {
    free(dc);
    return PSC_ENOMEM;
  }
  results_job_t job = {.path = results_csv};
  psc__view_hook_t hook = {results_start, results_wait, &job};
  int rc = psc__plan_view_load(plan_h5, &dc->v, diags, &hook);
  if (rc) {
    results_job_free(&job);
    psc_decode_free(dc);
    return rc;
  }
  if (job.started) {
    rc = results_take(&job, dc, diags);
  } else {
    uint32_t n = dc->v.has_decode ? dc->v.nretests : dc->v.ntubes;
    const psc__strcol_t *ids = dc->v.has_decode ? &dc->v.rt_tube_id : &dc->v.tube_id;
    dc->result = psc__malloc(n + 1, 1);
    dc->ct = psc__malloc(n + 1, 8);
    /* plan tubes are numbered from 1, retest tubes after them */
    uint32_t base = dc->v.has_decode ? dc->v.ntubes + 1 : 1;
    rc = dc->result && dc->ct ? psc__read_results(results_csv, ids, base, &dc->v, dc->result,
                                                  dc->ct, diags)
                              : PSC_ENOMEM;
  }
  if (!rc)
    rc = dc->v.has_decode ? round2(dc) : round1(dc);
  if (rc) {
    psc_decode_free(dc);
    return rc;
  }
  *out = dc;
  return 0;
}
