/* Error codes and positioned diagnostics shared by every poolscreen module. */
#ifndef POOLSCREEN_ERROR_H
#define POOLSCREEN_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one table of error codes: name, value, message. It generates the enum
 * below and the text returned by psc_strerror(). Functions return 0 on success
 * or one of these negative codes. */
#define PSC_ERRNO_MAP(XX)                                                      \
  XX(ENOMEM, -1, "out of memory")                                              \
  XX(EINVAL, -2, "invalid argument")                                           \
  XX(EIO, -3, "input/output error")                                            \
  XX(EINPUT, -4, "invalid input (see the diagnostics)")                        \
  XX(ERANGE, -5, "value out of range")                                         \
  XX(ENOTFOUND, -6, "not found")                                               \
  XX(EHDF5, -7, "HDF5 library error")                                          \
  XX(EINFEASIBLE, -8, "no feasible plan")

typedef enum {
  PSC_OK = 0,
#define PSC__ERRNO_ENUM(name, value, text) PSC_##name = (value),
  PSC_ERRNO_MAP(PSC__ERRNO_ENUM)
#undef PSC__ERRNO_ENUM
} psc_errno_t;

/* Returns a static, human-readable text for an error code; never NULL.
 * Unknown codes give "unknown error". Thread-safe. */
PSC_API const char *psc_strerror(int err);

/* Severity of one diagnostic. */
typedef enum { PSC_DIAG_ERROR = 0, PSC_DIAG_WARNING = 1 } psc_severity_t;

/* One problem found in the input, located at FILE:LINE:COLUMN. Lines and
 * columns are 1-based; COLUMN counts characters (Unicode code points), not
 * bytes. A problem with a whole file has line 1 and column 1. */
typedef struct {
  psc_severity_t severity;
  const char *file;    /* path as the user named it (owned by the list) */
  uint32_t line;
  uint32_t column;
  const char *message; /* owned by the list */
} psc_diag_t;

/* A growing list of diagnostics. The library appends to it; the caller prints
 * it. Not thread-safe: one list per thread of work. */
typedef struct psc_diags psc_diags_t;

/* Creates an empty list; returns NULL when out of memory. */
PSC_API psc_diags_t *psc_diags_create(void);
/* Frees the list and every string it owns; accepts NULL. */
PSC_API void psc_diags_free(psc_diags_t *d);
/* Number of diagnostics held, errors and warnings together. */
PSC_API size_t psc_diags_count(const psc_diags_t *d);
/* Number of errors held (warnings excluded). */
PSC_API size_t psc_diags_errors(const psc_diags_t *d);
/* The i-th diagnostic, in the order they were found; NULL when i is out of
 * range. The pointer stays valid until the list is freed or cleared. */
PSC_API const psc_diag_t *psc_diags_get(const psc_diags_t *d, size_t i);
/* Appends a diagnostic (printf-style message). Returns 0 or PSC_ENOMEM. */
PSC_API int psc_diags_add(psc_diags_t *d, psc_severity_t sev, const char *file,
                          uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Sorts by file, then line, then column, keeping the order of equal keys,
 * so that output is stable whatever order the checks ran in. */
PSC_API void psc_diags_sort(psc_diags_t *d);

#ifdef __cplusplus
}
#endif
#endif
