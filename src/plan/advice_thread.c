/* The cheapest-fix search on a thread of its own
 * (psc_plan_options_t.background_advice): psc_plan_create returns as soon
 * as the plan is made and its views, bounds and identity are set, and the
 * advice is searched meanwhile. The advice only reads the plan and writes
 * p->advice; whatever reads p->advice (psc_plan_advice, plan.h5's advice
 * attributes, report.html) first waits here, so a command writes the
 * plan's files while the advice runs and gets the same bytes as with the
 * advice searched first. */
#include "plan/plan_internal.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct psc__advice_job {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t finished;
  int done;          /* set under lock when the search has ended */
  int rc;            /* its status (0 or PSC_ENOMEM) */
  psc__eval_t trial; /* the search's working evaluation, freed when it ends */
  psc_plan_t *p;
};

static void *run(void *arg) {
  psc__advice_job_t *j = arg;
  /* a new thread starts from the runtime's default team size */
  omp_set_num_threads(j->p->threads);
  int rc = psc__advise(j->p, &j->trial);
  psc__eval_free(&j->trial);
  pthread_mutex_lock(&j->lock);
  j->rc = rc;
  j->done = 1;
  pthread_cond_broadcast(&j->finished);
  pthread_mutex_unlock(&j->lock);
  return NULL;
}

int psc__advice_start(psc_plan_t *p, psc__eval_t *trial) {
  psc__advice_job_t *j = calloc(1, sizeof *j);
  if (!j)
    return PSC_ENOMEM;
  if (pthread_mutex_init(&j->lock, NULL)) {
    free(j);
    return PSC_ENOMEM;
  }
  if (pthread_cond_init(&j->finished, NULL)) {
    pthread_mutex_destroy(&j->lock);
    free(j);
    return PSC_ENOMEM;
  }
  j->p = p;
  j->trial = *trial; /* the job owns the buffer from here */
  memset(trial, 0, sizeof *trial);
  p->advice_job = j;
  if (pthread_create(&j->thread, NULL, run, j)) {
    /* no thread to be had: the same search, here and now */
    j->rc = psc__advise(p, &j->trial);
    psc__eval_free(&j->trial);
    j->done = 2; /* 2: nothing to join */
  }
  return 0;
}

int psc__advice_wait(const psc_plan_t *p) {
  psc__advice_job_t *j = p->advice_job;
  if (!j)
    return 0;
  pthread_mutex_lock(&j->lock);
  while (!j->done)
    pthread_cond_wait(&j->finished, &j->lock);
  int rc = j->rc;
  pthread_mutex_unlock(&j->lock);
  return rc;
}

int psc__advice_running(const psc_plan_t *p) {
  psc__advice_job_t *j = p->advice_job;
  if (!j)
    return 0;
  pthread_mutex_lock(&j->lock);
  int running = !j->done;
  pthread_mutex_unlock(&j->lock);
  return running;
}

int psc__writer_threads(const psc_plan_t *p, int threads) {
  int n = threads > 0 ? threads : omp_get_max_threads();
  return n > 1 && psc__advice_running(p) ? n - 1 : n;
}

void psc__advice_end(psc_plan_t *p) {
  psc__advice_job_t *j = p->advice_job;
  if (!j)
    return;
  psc__advice_wait(p);
  if (j->done == 1)
    pthread_join(j->thread, NULL);
  pthread_cond_destroy(&j->finished);
  pthread_mutex_destroy(&j->lock);
  psc__eval_free(&j->trial);
  free(j);
  p->advice_job = NULL;
}

int psc_plan_advice_wait(const psc_plan_t *p) { return p ? psc__advice_wait(p) : PSC_EINVAL; }
