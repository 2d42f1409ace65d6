/* The plan's CSV outputs: summary.csv, site_schedule.csv, tubes.csv (one
 * row per tube), assignment.csv (tube -> resident) and exceptions.csv. Each
 * table is one array of columns (io/text_out.h); numbers are formatted as
 * integers and large tables in parallel blocks written in order. */
#include "plan/plan_internal.h"

#include "io/text_out.h"

#include <stdlib.h>
#include <string.h>

static const psc_plan_t *plan_of(const void *ctx) { return ((const psc__plan_out_t *)ctx)->p; }

/* A writer's context: the plan and output options first (so plan_of
 * applies), then T0 for clock times. */
typedef struct {
  psc__plan_out_t o;
  psc__clock_t clk;
} out_t;

static const psc__clock_t *clk(const void *ctx) { return &((const out_t *)ctx)->clk; }

static out_t out_of(const void *ctx) {
  const psc__plan_out_t *o = ctx;
  return (out_t){*o, psc__clock_of(psc_scenario_params(o->p->s)->start)};
}

static void put_id(psc__ob_t *b, const char *s) { psc__ob_text(b, s, strlen(s)); }

/* ---- summary.csv: communities, streets, the district ------------------- */
typedef struct {
  const char *level, *id, *name;
  const psc_verdict_t *v;
  int key;
} unit_t;

static unit_t unit(const void *ctx, uint64_t r) {
  const psc_plan_t *p = plan_of(ctx);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  const psc_streets_t *st = psc_scenario_streets(p->s);
  if (r < cm->count)
    return (unit_t){"community", cm->id[r], cm->name[r], &p->e.comm[r], cm->key[r]};
  r -= cm->count;
  if (r < st->count)
    return (unit_t){"street", st->name[r], st->name[r], &p->e.street[r], 0};
  const char *n = psc_scenario_params(p->s)->name;
  return (unit_t){"district", n, n, &p->e.district, 0};
}

static void s_level(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_puts(b, unit(c, r).level); }
static void s_id(psc__ob_t *b, const void *c, uint64_t r) { put_id(b, unit(c, r).id); }
static void s_residents(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_u64(b, unit(c, r).v->residents);
}
static void s_tubes(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_u64(b, unit(c, r).v->tubes); }
static void s_start(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, unit(c, r).v->sampling_start);
}
static void s_end(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, unit(c, r).v->sampling_end);
}
static void s_complete(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, unit(c, r).v->complete);
}
static void s_deadline(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, unit(c, r).v->deadline);
}
static void s_met(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_u64(b, unit(c, r).v->met != 0); }
static void s_slack(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, unit(c, r).v->slack); }
static void s_name(psc__ob_t *b, const void *c, uint64_t r) { put_id(b, unit(c, r).name); }
static void s_key(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_u64(b, unit(c, r).key != 0); }
static void s_exceptions(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_u64(b, unit(c, r).v->exceptions);
}
static void s_bound(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, unit(c, r).v->bound); }
static void s_infeasible(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_u64(b, unit(c, r).v->infeasible != 0);
}
static void s_complete_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, clk(c), unit(c, r).v->complete);
}
static void s_deadline_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, clk(c), unit(c, r).v->deadline);
}

/* The contract's columns, in the contract's order; new ones go at the end. */
static const psc__col_t SUMMARY[] = {
    {"level", s_level},           {"id", s_id},
    {"residents", s_residents},   {"tubes", s_tubes},
    {"sampling_start_min", s_start}, {"sampling_end_min", s_end},
    {"complete_min", s_complete}, {"deadline_min", s_deadline},
    {"met", s_met},               {"slack_min", s_slack},
    {"name", s_name},             {"key", s_key},
    {"exceptions", s_exceptions},
    {"bound_min", s_bound},       {"infeasible", s_infeasible},
    {"complete_at", s_complete_at}, {"deadline_at", s_deadline_at},
};

/* A plan made and written at once (plan/stages.c): each file waits for
 * the plan; the large ones use one thread fewer while the plan's advice is
 * searched on another core. */
#define AWAIT_PLAN(ctx)                                                                   \
  do {                                                                                    \
    int stage_rc_ = psc__stage_wait(plan_of(ctx), PSC__STAGE_PLANNED);                    \
    if (stage_rc_)                                                                        \
      return stage_rc_;                                                                   \
  } while (0)

static int write_summary(const void *ctx, FILE *f) {
  AWAIT_PLAN(ctx);
  const psc_plan_t *p = plan_of(ctx);
  uint64_t n = (uint64_t)psc_scenario_communities(p->s)->count +
               psc_scenario_streets(p->s)->count + 1;
  out_t o = out_of(ctx);
  return psc__csv_table(f, SUMMARY, sizeof SUMMARY / sizeof SUMMARY[0], n, &o, 1);
}

/* ---- site_schedule.csv: sessions by site, then start ------------------- */
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

static void put_tube(psc__ob_t *b, const psc_plan_t *p, uint32_t t) {
  char id[32];
  int n = psc_plan_tube_id(p, t, id, sizeof id);
  psc__ob_put(b, id, (size_t)n);
}

typedef struct {
  const psc_plan_t *p;
  const ses_key_t *keys;
  psc__clock_t clk;
} sched_t;

static const psc__eval_t *sched_e(const void *c) { return &((const sched_t *)c)->p->e; }
static uint32_t ses(const void *c, uint64_t r) { return ((const sched_t *)c)->keys[r].k; }
static const psc_scenario_t *sched_s(const void *c) { return ((const sched_t *)c)->p->s; }

static void ss_site(psc__ob_t *b, const void *c, uint64_t r) {
  put_id(b, psc_scenario_sites(sched_s(c))->id[sched_e(c)->ses_site[ses(c, r)]]);
}
static void ss_kind(psc__ob_t *b, const void *c, uint64_t r) {
  const psc_sites_t *st = psc_scenario_sites(sched_s(c));
  psc__ob_puts(b, psc_site_kind_name(st->kind[sched_e(c)->ses_site[ses(c, r)]]));
}
static void ss_street(psc__ob_t *b, const void *c, uint64_t r) {
  const psc_sites_t *st = psc_scenario_sites(sched_s(c));
  put_id(b, psc_scenario_streets(sched_s(c))->name[st->street[sched_e(c)->ses_site[ses(c, r)]]]);
}
static void ss_comm(psc__ob_t *b, const void *c, uint64_t r) {
  put_id(b, psc_scenario_communities(sched_s(c))->id[sched_e(c)->ses_comm[ses(c, r)]]);
}
static void ss_stream(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_puts(b, stream_name(sched_e(c)->ses_stream[ses(c, r)]));
}
static void ss_start(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, sched_e(c)->ses_start[ses(c, r)]);
}
static void ss_end(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, sched_e(c)->ses_end[ses(c, r)]);
}
static void ss_residents(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_u64(b, sched_e(c)->ses_residents[ses(c, r)]);
}
static void ss_tubes(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_u64(b, sched_e(c)->ses_tubes[ses(c, r)]);
}
static void ss_first(psc__ob_t *b, const void *c, uint64_t r) {
  const psc__eval_t *e = sched_e(c);
  put_tube(b, ((const sched_t *)c)->p, e->ses_tube_list[e->ses_tube_first[ses(c, r)]]);
}
static void ss_last(psc__ob_t *b, const void *c, uint64_t r) {
  const psc__eval_t *e = sched_e(c);
  put_tube(b, ((const sched_t *)c)->p, e->ses_tube_list[e->ses_tube_first[ses(c, r) + 1] - 1]);
}

static void ss_start_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, &((const sched_t *)c)->clk, sched_e(c)->ses_start[ses(c, r)]);
}
static void ss_end_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, &((const sched_t *)c)->clk, sched_e(c)->ses_end[ses(c, r)]);
}

static const psc__col_t SCHEDULE[] = {
    {"site", ss_site},       {"kind", ss_kind},         {"street", ss_street},
    {"community", ss_comm},  {"stream", ss_stream},     {"start_min", ss_start},
    {"end_min", ss_end},     {"residents", ss_residents}, {"tubes", ss_tubes},
    {"first_tube", ss_first}, {"last_tube", ss_last},
    {"start_at", ss_start_at}, {"end_at", ss_end_at},
};

static int write_schedule(const void *ctx, FILE *f) {
  AWAIT_PLAN(ctx);
  const psc__plan_out_t *o = ctx;
  const psc__eval_t *e = &o->p->e;
  ses_key_t *keys = psc__malloc(e->nsessions + 1, sizeof(*keys));
  if (!keys)
    return PSC_ENOMEM;
  for (uint32_t k = 0; k < e->nsessions; k++)
    keys[k] = (ses_key_t){e->ses_site[k], e->ses_start[k], k};
  qsort(keys, e->nsessions, sizeof(*keys), cmp_ses);
  sched_t c = {o->p, keys, psc__clock_of(psc_scenario_params(o->p->s)->start)};
  int rc = psc__csv_table(f, SCHEDULE, sizeof SCHEDULE / sizeof SCHEDULE[0], e->nsessions, &c,
                          psc__writer_threads(o->p, o->threads));
  free(keys);
  return rc;
}

/* ---- tubes.csv: one row per tube ---------------------------------------- */
static const psc_plan_t *tp(const void *c) { return plan_of(c); }

static void t_id(psc__ob_t *b, const void *c, uint64_t r) { put_tube(b, tp(c), (uint32_t)r); }
static void t_comm(psc__ob_t *b, const void *c, uint64_t r) {
  put_id(b, psc_scenario_communities(tp(c)->s)->id[tp(c)->pk.tube_comm[r]]);
}
static void t_site(psc__ob_t *b, const void *c, uint64_t r) {
  put_id(b, psc_scenario_sites(tp(c)->s)->id[tp(c)->e.site[r]]);
}
static void t_lab(psc__ob_t *b, const void *c, uint64_t r) {
  put_id(b, psc_scenario_labs(tp(c)->s)->id[tp(c)->e.lab[r]]);
}
static void t_stream(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_puts(b, stream_name(tp(c)->pk.tube_stream[r]));
}
static void t_kind(psc__ob_t *b, const void *c, uint64_t r) {
  static const char *k[] = {"pool", "array_row", "array_column"};
  uint8_t v = tp(c)->pk.tube_kind ? tp(c)->pk.tube_kind[r] : 0;
  psc__ob_puts(b, v < 3 ? k[v] : "?");
}
static void t_swabs(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_u64(b, tp(c)->pk.tube_swabs[r]); }
static void t_first(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, tp(c)->e.first_swab[r]); }
static void t_sealed(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, tp(c)->e.sealed[r]); }
static void t_departed(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, tp(c)->e.departed[r]); }
static void t_arrived(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, tp(c)->e.arrived[r]); }
static void t_run(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_u64(b, tp(c)->e.run[r]); }
static void t_run_start(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_min(b, tp(c)->e.run_start[r]);
}
static void t_reported(psc__ob_t *b, const void *c, uint64_t r) { psc__ob_min(b, tp(c)->e.reported[r]); }

static void t_sealed_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, clk(c), tp(c)->e.sealed[r]);
}
static void t_reported_at(psc__ob_t *b, const void *c, uint64_t r) {
  psc__ob_clock(b, clk(c), tp(c)->e.reported[r]);
}

static const psc__col_t TUBES[] = {
    {"tube", t_id},           {"community", t_comm},        {"site", t_site},
    {"lab", t_lab},           {"stream", t_stream},         {"kind", t_kind},
    {"swabs", t_swabs},       {"first_swab_min", t_first},  {"sealed_min", t_sealed},
    {"departed_min", t_departed}, {"arrived_min", t_arrived}, {"run", t_run},
    {"run_start_min", t_run_start}, {"reported_min", t_reported},
    {"sealed_at", t_sealed_at},     {"reported_at", t_reported_at},
};

static int write_tubes(const void *ctx, FILE *f) {
  AWAIT_PLAN(ctx);
  out_t o = out_of(ctx);
  return psc__csv_table(f, TUBES, sizeof TUBES / sizeof TUBES[0], o.o.p->pk.ntubes, &o,
                        psc__writer_threads(o.o.p, o.o.threads));
}

/* ---- assignment.csv: tube, resident; grouped by tube in swab order ------ */
/* A resident's id without printf: read from residents.csv, or synthesised
 * as <community id>-<number in the community>. */
static void put_resident(psc__ob_t *b, const psc_scenario_t *s, uint32_t i) {
  const psc_roster_t *r = &s->roster;
  if (!r->synthesised) {
    put_id(b, s->id_pool + s->res_id_off[i]);
    return;
  }
  uint32_t c = r->hh_community[r->res_household[i]];
  put_id(b, s->comm.id[c]);
  psc__ob_putc(b, '-');
  psc__ob_u64(b, i - r->hh_first[r->comm_hh_first[c]] + 1);
}

static void assignment_rows(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b) {
  const psc_plan_t *p = plan_of(ctx);
  const psc__pack_t *pk = &p->pk;
  const psc_roster_t *r = &p->s->roster;
  /* a tube never mixes communities: "tube,<community id>-" is made once per
   * tube, and a row adds the resident's number in its community */
  psc__ob_t head = {0};
  for (uint64_t t = first; t < last; t++) {
    head.n = 0;
    char id[32];
    psc__ob_put(&head, id, (size_t)psc_plan_tube_id(p, (uint32_t)t, id, sizeof id));
    psc__ob_putc(&head, ',');
    uint32_t c = pk->tube_comm[t], base = 0;
    if (r->synthesised) {
      put_id(&head, p->s->comm.id[c]);
      psc__ob_putc(&head, '-');
      base = r->hh_first[r->comm_hh_first[c]];
    }
    if (head.err) {
      b->err = 1;
      break;
    }
    uint32_t j0 = pk->member_first[t], j1 = pk->member_first[t + 1];
    if (!r->synthesised) {
      for (uint32_t j = j0; j < j1; j++) {
        psc__ob_put(b, head.p, head.n);
        put_id(b, p->s->id_pool + p->s->res_id_off[pk->members[j]]);
        psc__ob_putc(b, '\n');
      }
      continue;
    }
    /* room for the whole tube at once, then plain stores: a row is the
     * head, at most 10 digits and a line break (20 kept free for the
     * digit writer after the last) */
    if (psc__ob_room(b, (size_t)(j1 - j0) * (head.n + 11) + 20) != 0)
      break;
    char *o = b->p + b->n;
    for (uint32_t j = j0; j < j1; j++) {
      memcpy(o, head.p, head.n);
      o = psc__digits_u64(o + head.n, pk->members[j] - base + 1);
      *o++ = '\n';
    }
    b->n = (size_t)(o - b->p);
  }
  psc__ob_free(&head);
}

static int write_assignment(const void *ctx, FILE *f) {
  AWAIT_PLAN(ctx);
  const psc__plan_out_t *o = ctx;
  if (fputs("tube,resident\n", f) == EOF)
    return PSC_EIO;
  return psc__write_rows(f, o->p->pk.ntubes, 4096, assignment_rows, ctx,
                         psc__writer_threads(o->p, o->threads));
}

/* ---- exceptions.csv ---------------------------------------------------- */
static int write_exceptions(const void *ctx, FILE *f) {
  int stage_rc = psc__stage_wait(plan_of(ctx), PSC__STAGE_PACKED);
  if (stage_rc)
    return stage_rc;
  const psc_plan_t *p = plan_of(ctx);
  const psc_roster_t *r = psc_scenario_roster(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  psc__ob_t b = {0};
  psc__ob_puts(&b, "resident,household,community,reason\n");
  char hid[64];
  int rc = 0;
  for (uint32_t i = 0; i < r->residents && !rc; i++) {
    if (!p->pk.res_exception[i])
      continue;
    uint32_t h = r->res_household[i];
    put_resident(&b, p->s, i);
    psc__ob_putc(&b, ',');
    if (r->synthesised) {
      psc_scenario_household_id(p->s, h, hid, sizeof hid);
      put_id(&b, hid);
    } else
      put_id(&b, p->s->id_pool + p->s->hh_id_off[h]);
    psc__ob_putc(&b, ',');
    put_id(&b, cm->id[r->hh_community[h]]);
    psc__ob_puts(&b, ",no_door_to_door_team\n");
    if (b.n > (1u << 20) && psc__ob_flush(&b, f) != 0)
      rc = b.err ? PSC_ENOMEM : PSC_EIO;
  }
  if (!rc && psc__ob_flush(&b, f) != 0)
    rc = b.err ? PSC_ENOMEM : PSC_EIO;
  psc__ob_free(&b);
  return rc;
}

/* The plan's files: plan.h5 first (the largest; see psc__write_files). */
static const psc__out_file_t PLAN_FILES[] = {{"plan.h5", NULL, psc__plan_h5_to},
                                             {"summary.csv", write_summary, NULL},
                                             {"site_schedule.csv", write_schedule, NULL},
                                             {"tubes.csv", write_tubes, NULL},
                                             {"assignment.csv", write_assignment, NULL},
                                             {"exceptions.csv", write_exceptions, NULL},
                                             /* an older version's file, dropped */
                                             {"tube_manifest.csv", NULL, NULL}};
#define NPLAN_FILES (sizeof PLAN_FILES / sizeof PLAN_FILES[0])
#define NPLAN_WRITTEN (NPLAN_FILES - 1)

const psc__out_file_t *psc__plan_files(size_t *n) {
  *n = NPLAN_WRITTEN;
  return PLAN_FILES;
}

int psc_plan_write_csv(const psc_plan_t *p, const char *outdir) {
  if (!p || !outdir)
    return PSC_EINVAL;
  psc__plan_out_t out = {p, 0};
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc__outset_write(set, PLAN_FILES + 1, NPLAN_WRITTEN - 1, NPLAN_FILES - 1, &out);
  psc_outset_free(set);
  return rc;
}

int psc_plan_write(const psc_plan_t *p, const char *outdir, int with_csv, int threads) {
  return psc__plan_write_with(p, outdir, with_csv, threads, NULL);
}

int psc__plan_write_with(const psc_plan_t *p, const char *outdir, int with_csv, int threads,
                         const psc__out_file_t *extra) {
  if (!p || !outdir)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc__plan_write_to_with(p, set, with_csv, threads, extra);
  psc_outset_free(set);
  return rc;
}

int psc_plan_write_to(const psc_plan_t *p, psc_outset_t *set, int with_csv, int threads) {
  return psc__plan_write_to_with(p, set, with_csv, threads, NULL);
}

int psc__plan_write_to_with(const psc_plan_t *p, psc_outset_t *set, int with_csv, int threads,
                            const psc__out_file_t *extra) {
  if (!p || !set)
    return PSC_EINVAL;
  psc__plan_out_t out = {p, threads};
  /* written first, then the plan's other names (dropped when this run does
   * not write them: an older plan's CSVs under --no-csv, an older report) */
  psc__out_file_t files[NPLAN_FILES + 1];
  size_t n = 0, written = with_csv ? NPLAN_WRITTEN : 1;
  for (size_t k = 0; k < written; k++)
    files[n++] = PLAN_FILES[k];
  if (extra)
    files[n++] = *extra;
  size_t nwrite = n;
  for (size_t k = written; k < NPLAN_FILES; k++)
    files[n++] = PLAN_FILES[k];
  if (!extra)
    files[n++] = (psc__out_file_t){"report.html", NULL, NULL};
  /* the files at once, unless one thread was asked for */
  return threads == 1 ? psc__outset_write(set, files, nwrite, n, &out)
                      : psc__outset_write_concurrent(set, files, nwrite, n, &out);
}
