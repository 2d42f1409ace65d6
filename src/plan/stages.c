/* A plan made and written at once. psc_plan_create_writing writes the
 * plan's files on a thread of its own while the plan is made: each writer
 * waits for the stage it needs (PACKED: the roster's tubes; PLANNED: the
 * schedule, its bounds, views and identity; ADVISED: the cheapest fix), so
 * plan.h5's residents and households are written while the search runs on
 * the other core, and the advice is searched (on a thread of its own, from
 * the moment the bounds are known) while the rest is written. The writers
 * make the same calls in the same order as psc_plan_write_to after
 * psc_plan_create, so the files are the same bytes.
 *
 * Without a pipeline (psc_plan_create, background_advice 0) a plan has no
 * stages and every wait returns at once. */
#include "plan/plan_internal.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct psc__stages {
  pthread_mutex_t lock;
  pthread_cond_t moved;
  unsigned reached; /* bit k: stage k reached (the advice may end before PLANNED) */
  int rc;        /* the plan failed: every wait returns this */
  int advice_rc; /* the advice failed: waits for PSC__STAGE_ADVISED return this */
  int advice_thread; /* 1: a thread to join */
  pthread_t advice;
  psc__eval_t trial; /* the advice's working evaluation, freed when it ends */
};

int psc__stages_init(psc_plan_t *p) {
  psc__stages_t *g = calloc(1, sizeof *g);
  if (!g)
    return PSC_ENOMEM;
  if (pthread_mutex_init(&g->lock, NULL)) {
    free(g);
    return PSC_ENOMEM;
  }
  if (pthread_cond_init(&g->moved, NULL)) {
    pthread_mutex_destroy(&g->lock);
    free(g);
    return PSC_ENOMEM;
  }
  p->stages = g;
  return 0;
}

/* stages 1 .. stage */
static unsigned upto(int stage) { return ((1u << (stage + 1)) - 1) & ~1u; }

static void move(psc_plan_t *p, int stage, int rc, int advice_rc) {
  psc__stages_t *g = p->stages;
  if (!g)
    return;
  pthread_mutex_lock(&g->lock);
  if (stage)
    g->reached |= 1u << stage;
  if (rc && !g->rc)
    g->rc = rc;
  if (advice_rc && !g->advice_rc)
    g->advice_rc = advice_rc;
  pthread_cond_broadcast(&g->moved);
  pthread_mutex_unlock(&g->lock);
}

void psc__stage_reach(psc_plan_t *p, int stage) { move(p, stage, 0, 0); }

void psc__stage_fail(psc_plan_t *p, int rc) { move(p, 0, rc, 0); }

int psc__stage_wait(const psc_plan_t *p, int stage) {
  psc__stages_t *g = p->stages;
  if (!g)
    return 0;
  pthread_mutex_lock(&g->lock);
  while ((g->reached & upto(stage)) != upto(stage) && !g->rc)
    pthread_cond_wait(&g->moved, &g->lock);
  int rc = g->rc ? g->rc : stage >= PSC__STAGE_ADVISED ? g->advice_rc : 0;
  pthread_mutex_unlock(&g->lock);
  return rc;
}

int psc__writer_threads(const psc_plan_t *p, int threads) {
  int n = threads > 0 ? threads : omp_get_max_threads();
  psc__stages_t *g = p->stages;
  if (!g || n < 2)
    return n;
  pthread_mutex_lock(&g->lock);
  int busy = (g->reached & upto(PSC__STAGE_ADVISED)) != upto(PSC__STAGE_ADVISED) && !g->rc;
  pthread_mutex_unlock(&g->lock);
  /* the plan or its advice takes a core meanwhile */
  return busy ? n - 1 : n;
}

/* ---- the advice in the background ----------------------------------------- */

static void *advise(void *arg) {
  psc_plan_t *p = arg;
  /* a new thread starts from the runtime's default team size */
  omp_set_num_threads(p->threads);
  int rc = psc__advise(p, &p->stages->trial);
  psc__eval_free(&p->stages->trial);
  move(p, PSC__STAGE_ADVISED, 0, rc);
  return NULL;
}

int psc__advice_start(psc_plan_t *p, psc__eval_t *trial) {
  psc__stages_t *g = p->stages;
  g->trial = *trial; /* the advice owns the buffer from here */
  memset(trial, 0, sizeof *trial);
  if (!pthread_create(&g->advice, NULL, advise, p))
    g->advice_thread = 1;
  else
    advise(p); /* no thread to be had: the same search, here and now */
  return 0;
}

int psc_plan_advice_wait(const psc_plan_t *p) {
  return p ? psc__stage_wait(p, PSC__STAGE_ADVISED) : PSC_EINVAL;
}

void psc__stages_end(psc_plan_t *p) {
  psc__stages_t *g = p->stages;
  if (!g)
    return;
  if (g->advice_thread)
    pthread_join(g->advice, NULL);
  pthread_cond_destroy(&g->moved);
  pthread_mutex_destroy(&g->lock);
  psc__eval_free(&g->trial);
  free(g);
  p->stages = NULL;
}

/* ---- planning and writing at once ----------------------------------------- */

typedef struct {
  psc_plan_t *p;
  psc_outset_t *set;
  int with_csv, threads, rc;
  const psc__out_file_t *extra;
} writer_t;

static void *write_all(void *arg) {
  writer_t *w = arg;
  w->rc = psc__plan_write_to_with(w->p, w->set, w->with_csv, w->threads, w->extra);
  return NULL;
}

int psc__plan_create_writing(const psc_scenario_t *s, const psc_plan_options_t *opt,
                             psc_outset_t *set, int with_csv, const psc__out_file_t *extra,
                             psc_plan_t **out, int *write_rc) {
  if (!s || !set || !out || !write_rc)
    return PSC_EINVAL;
  *out = NULL;
  *write_rc = 0;
  psc_plan_options_t o = opt ? *opt : psc_plan_options_default();
  psc_plan_t *p = NULL;
  int rc = psc__plan_new(s, &o, &p);
  if (rc)
    return rc;
  writer_t w = {p, set, with_csv, o.threads, 0, extra};
  if (p->threads < 2) { /* one core: one thing at a time, the same files */
    p->opts.background_advice = 0;
    rc = psc__plan_build(p);
    if (!rc)
      write_all(&w);
  } else {
    p->opts.background_advice = 1;
    pthread_t tid;
    rc = psc__stages_init(p);
    int started = !rc && !pthread_create(&tid, NULL, write_all, &w);
    if (!rc)
      rc = psc__plan_build(p);
    if (rc)
      psc__stage_fail(p, rc); /* the writers give up, nothing is committed */
    if (started)
      pthread_join(tid, NULL);
    else if (!rc)
      write_all(&w);
  }
  *write_rc = w.rc;
  if (rc) {
    psc_plan_free(p);
    *write_rc = 0;
    return rc;
  }
  *out = p;
  return 0;
}

int psc_plan_create_writing(const psc_scenario_t *s, const psc_plan_options_t *o,
                            psc_outset_t *set, int with_csv, psc_plan_t **out, int *write_rc) {
  return psc__plan_create_writing(s, o, set, with_csv, NULL, out, write_rc);
}
