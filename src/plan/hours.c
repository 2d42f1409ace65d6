/* Daily opening hours on the plan's time axis (minutes after T0). */
#include "plan/plan_internal.h"

#include <math.h>

psc__hours_t psc__hours(int32_t open_min, int32_t close_min, int32_t t0_clock) {
  psc__hours_t h = {open_min, close_min, t0_clock};
  return h;
}

static int all_day(const psc__hours_t *h) { return h->open == 0 && h->close == 1440; }

/* Start of the day (minutes after T0) that contains t, and t's clock time. */
static double day_start(const psc__hours_t *h, double t, double *clock) {
  double abs = t + h->t0_clock;
  double day = floor(abs / 1440.0);
  *clock = abs - day * 1440.0;
  return day * 1440.0 - h->t0_clock;
}

/* Is the clock time c (0 <= c < 1440) inside the open hours? */
static int open_at(const psc__hours_t *h, double c) {
  if (all_day(h))
    return 1;
  if (h->open < h->close)
    return c >= h->open && c < h->close;
  return c >= h->open || c < h->close; /* past midnight */
}

double psc__hours_next_open(const psc__hours_t *h, double t) {
  if (all_day(h))
    return t;
  double c;
  double d0 = day_start(h, t, &c);
  if (open_at(h, c))
    return t;
  if (h->open < h->close)
    return c < h->open ? d0 + h->open : d0 + 1440.0 + h->open;
  return d0 + h->open; /* closed between close and open of the same day */
}

double psc__hours_open_until(const psc__hours_t *h, double t) {
  if (all_day(h))
    return INFINITY;
  double c;
  double d0 = day_start(h, t, &c);
  if (h->open < h->close)
    return d0 + h->close;
  return c >= h->open ? d0 + 1440.0 + h->close : d0 + h->close;
}

double psc__hours_advance(const psc__hours_t *h, double t, double d) {
  if (all_day(h))
    return t + d;
  for (;;) {
    t = psc__hours_next_open(h, t);
    double e = psc__hours_open_until(h, t);
    if (t + d <= e)
      return t + d;
    d -= e - t;
    t = e;
  }
}

double psc__hours_open_between(const psc__hours_t *h, double a, double b) {
  double sum = 0;
  while (a < b) {
    a = psc__hours_next_open(h, a);
    if (a >= b)
      break;
    double e = psc__hours_open_until(h, a);
    sum += (e < b ? e : b) - a;
    a = e;
  }
  return sum;
}
