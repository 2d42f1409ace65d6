/* Error texts, generated from the one table in error.h. */
#include "internal.h"

const char *psc_strerror(int err) {
  switch (err) {
  case PSC_OK:
    return "success";
#define PSC__ERRNO_TEXT(name, value, text)                                     \
  case PSC_##name:                                                             \
    return text;
    PSC_ERRNO_MAP(PSC__ERRNO_TEXT)
#undef PSC__ERRNO_TEXT
  default:
    return "unknown error";
  }
}

const char *psc_version(void) { return PSC_VERSION; }

int psc_version_number(void) { return PSC_VERSION_NUMBER; }
