/* The pull's queues (labs.c): first-in first-out queues of tube entries by
 * priority class, and the heap of instruments' next runs by their key (its
 * end; aligned, a first run's latest start: labs.c's ev_key).
 * Static inline: they are the pull's innermost operations. */
#ifndef PSC_PLAN_PULL_QUEUES_H
#define PSC_PLAN_PULL_QUEUES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poolscreen/error.h"

/* Room for `more` elements after the last of a queue stored from *head,
 * n long, in *q of *cap elements of `size` bytes: the live part is moved to
 * the front, or the storage doubled. 0 or PSC_ENOMEM. */
static inline int queue_room(void **q, uint32_t *head, uint32_t n, uint32_t *cap, size_t size,
                             uint32_t more) {
  if (*head + n + more <= *cap)
    return 0;
  if (n)
    memmove(*q, (char *)*q + (size_t)*head * size, (size_t)n * size);
  *head = 0;
  if (n + more <= *cap)
    return 0;
  uint32_t c = *cap ? *cap : 64;
  while (c < n + more)
    c *= 2;
  void *g = realloc(*q, (size_t)c * size);
  if (!g)
    return PSC_ENOMEM;
  *q = g;
  *cap = c;
  return 0;
}

typedef struct {
  uint32_t *q;
  uint32_t head, n, cap;
} fifo_t;

typedef struct {
  fifo_t *cls;
  uint32_t ncls, lo; /* no class below lo holds a tube */
} waitq_t;

static inline int fifo_push(fifo_t *f, uint32_t v) {
  void *q = f->q;
  int rc = queue_room(&q, &f->head, f->n, &f->cap, sizeof(uint32_t), 1);
  f->q = q;
  if (!rc)
    f->q[f->head + f->n++] = v;
  return rc;
}

static inline int wq_push(waitq_t *w, uint32_t cls, uint32_t v) {
  if (cls < w->lo)
    w->lo = cls;
  return fifo_push(&w->cls[cls], v);
}

static inline void wq_free(waitq_t *w) {
  for (uint32_t c = 0; w->cls && c < w->ncls; c++)
    free(w->cls[c].q);
  free(w->cls);
}

/* An instrument's next run, keyed by `end` (its end, or labs.c's ev_key;
 * then lab, then instrument). */
typedef struct {
  double end, start;
  uint32_t lab, inst;
} event_t;

static inline int event_before(const event_t *a, const event_t *b) {
  if (a->end != b->end)
    return a->end < b->end;
  if (a->lab != b->lab)
    return a->lab < b->lab;
  return a->inst < b->inst;
}

static inline void event_push(event_t *h, uint32_t *n, event_t w) {
  uint32_t i = (*n)++;
  while (i > 0 && event_before(&w, &h[(i - 1) / 2])) {
    h[i] = h[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h[i] = w;
}

/* Sets the key (end) of instrument (lab, inst)'s event in the heap of n. */
static inline void event_rekey(event_t *h, uint32_t n, uint32_t lab, uint32_t inst, double end) {
  uint32_t i = 0;
  while (i < n && !(h[i].lab == lab && h[i].inst == inst))
    i++;
  if (i == n)
    return;
  event_t w = h[i];
  w.end = end;
  while (i > 0 && event_before(&w, &h[(i - 1) / 2])) {
    h[i] = h[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && event_before(&h[c + 1], &h[c]))
      c++;
    if (!event_before(&h[c], &w))
      break;
    h[i] = h[c];
    i = c;
  }
  h[i] = w;
}

static inline event_t event_pop(event_t *h, uint32_t *n) {
  event_t top = h[0], last = h[--(*n)];
  uint32_t i = 0;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= *n)
      break;
    if (c + 1 < *n && event_before(&h[c + 1], &h[c]))
      c++;
    if (!event_before(&h[c], &last))
      break;
    h[i] = h[c];
    i = c;
  }
  if (*n)
    h[i] = last;
  return top;
}

#endif
