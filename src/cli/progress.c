/* The progress bar: on a terminal only, with the time left estimated from
 * the rate so far. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
  double start;
  int drawn;
} bar_t;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const char *cli_eta(char *buf, size_t size, double seconds) {
  if (!isfinite(seconds) || seconds < 0) {
    snprintf(buf, size, "ETA -:--");
    return buf;
  }
  long s = lround(seconds);
  if (s >= 3600)
    snprintf(buf, size, "ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, size, "ETA %ld:%02ld", s / 60, s % 60);
  return buf;
}

void *cli_progress_start(void) {
  if (cli_quiet || !isatty(STDERR_FILENO))
    return NULL;
  bar_t *b = calloc(1, sizeof(*b));
  if (b)
    b->start = now();
  return b;
}

void cli_progress(void *ctx, uint32_t done, uint32_t total) {
  bar_t *b = ctx;
  if (!b || !total || (done != total && done % (total / 50 + 1) != 0))
    return;
  double elapsed = now() - b->start;
  char eta[32];
  if (done == total)
    snprintf(eta, sizeof eta, "done in %.0f s", elapsed);
  else
    cli_eta(eta, sizeof eta, done ? elapsed * (total - done) / done : NAN);
  int w = (int)(40.0 * done / total);
  fprintf(stderr, "\r[%.*s%*s] %u/%u %-16s", w, "########################################",
          40 - w, "", done, total, eta);
  b->drawn = 1;
  if (done == total) {
    fputc('\n', stderr);
    b->drawn = 0;
  }
}

void cli_progress_end(void *ctx) {
  bar_t *b = ctx;
  if (b && b->drawn)
    fputc('\n', stderr);
  free(b);
}
