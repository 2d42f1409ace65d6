/* Parsing of numbers, clock times and dates from user text, with the reason
 * for a refusal so that diagnostics can say exactly what is wrong. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blanks(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static int only_blanks(const char *s) { return *skip_blanks(s) == '\0'; }

psc__num_status_t psc__parse_u64(const char *s, uint64_t max, uint64_t *out) {
  s = skip_blanks(s);
  if (!*s)
    return PSC__NUM_EMPTY;
  int neg = 0;
  if (*s == '+' || *s == '-') {
    neg = *s == '-';
    s++;
  }
  if (!isdigit((unsigned char)*s))
    return PSC__NUM_SYNTAX;
  uint64_t v = 0;
  int overflow = 0;
  for (; isdigit((unsigned char)*s); s++) {
    unsigned dgt = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - dgt) / 10)
      overflow = 1;
    else
      v = v * 10 + dgt;
  }
  if (!only_blanks(s))
    return PSC__NUM_SYNTAX;
  if (neg && (v != 0 || overflow))
    return PSC__NUM_NEGATIVE;
  if (overflow || v > max)
    return PSC__NUM_RANGE;
  *out = v;
  return PSC__NUM_OK;
}

psc__num_status_t psc__parse_double(const char *s, double min, double max, double *out) {
  s = skip_blanks(s);
  if (!*s)
    return PSC__NUM_EMPTY;
  /* strtod accepts hex, inf and nan; users mean none of them. */
  for (const char *c = s; *c && *c != ' ' && *c != '\t'; c++)
    if (!(isdigit((unsigned char)*c) || strchr("+-.eE", *c)))
      return PSC__NUM_SYNTAX;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (end == s || !only_blanks(end))
    return PSC__NUM_SYNTAX;
  if (errno == ERANGE || !isfinite(v))
    return PSC__NUM_RANGE;
  if (v < min)
    return (v < 0 && min >= 0) ? PSC__NUM_NEGATIVE : PSC__NUM_RANGE;
  if (v > max)
    return PSC__NUM_RANGE;
  *out = v;
  return PSC__NUM_OK;
}

const char *psc__num_status_text(psc__num_status_t st) {
  switch (st) {
  case PSC__NUM_OK:
    return "is valid";
  case PSC__NUM_EMPTY:
    return "is empty";
  case PSC__NUM_SYNTAX:
    return "is not a number";
  case PSC__NUM_NEGATIVE:
    return "is negative";
  case PSC__NUM_RANGE:
    return "is out of range";
  }
  return "is invalid";
}

static int two_digits(const char *s, int *v) {
  if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
    return -1;
  *v = (s[0] - '0') * 10 + (s[1] - '0');
  return 0;
}

int psc__parse_clock(const char *s, int allow_24, int *minutes) {
  s = skip_blanks(s);
  int h, m;
  /* accept H:MM as well as HH:MM */
  char buf[6];
  size_t n = strcspn(s, " \t");
  if (n == 4 && s[1] == ':') {
    buf[0] = '0';
    memcpy(buf + 1, s, 4);
  } else if (n == 5) {
    memcpy(buf, s, 5);
  } else {
    return -1;
  }
  buf[5] = '\0';
  if (!only_blanks(s + n) || buf[2] != ':' || two_digits(buf, &h) || two_digits(buf + 3, &m))
    return -1;
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
    return -1;
  *minutes = h * 60 + m;
  return 0;
}

int psc__parse_datetime(const char *s, int *minute_of_day) {
  s = skip_blanks(s);
  int y = 0, mo, d;
  for (int i = 0; i < 4; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    y = y * 10 + (s[i] - '0');
  }
  if (s[4] != '-' || two_digits(s + 5, &mo) || s[7] != '-' || two_digits(s + 8, &d))
    return -1;
  if (s[10] != ' ' && s[10] != 'T')
    return -1;
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1)
    return -1;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > mdays[mo - 1] + (mo == 2 && leap))
    return -1;
  return psc__parse_clock(s + 11, 0, minute_of_day);
}

int psc__excel_mangled(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i < n && (s[i] == '-' || s[i] == '+'))
    i++;
  size_t d = i;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    i++;
  if (i == d)
    return 0;
  if (i < n && (s[i] == '.' || s[i] == ',')) { /* ',' in locales with a decimal comma */
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
  }
  if (i == n || (s[i] != 'E' && s[i] != 'e'))
    return 0;
  i++;
  if (i < n && s[i] == '+')
    i++;
  size_t e = i;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    i++;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  /* Excel switches to E notation from 12 digits on */
  return i > e && i == n && atoi(s + e) >= 11;
}
