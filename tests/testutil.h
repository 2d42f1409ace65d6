/* Helpers for the cmocka tests: temporary scenarios and diagnostic checks. */
#ifndef POOLSCREEN_TESTUTIL_H
#define POOLSCREEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "poolscreen/poolscreen.h"

/* A new empty directory under /tmp; free() the result, tu_rmtree() the dir. */
char *tu_tmpdir(void);
/* Removes a directory made by tu_tmpdir and everything in it. */
void tu_rmtree(const char *dir);
/* Writes content to dir/name. */
void tu_write(const char *dir, const char *name, const char *content);
/* A new directory (tu_tmpdir) holding a scenario: scenario.ini is `ini`
 * followed by a [tables] section naming c.csv, s.csv and l.csv, which hold
 * the rows given under the usual headers (communities: id, street,
 * population, households, x_km, y_km; sites and labs: as in
 * docs/scenario.md). */
char *tu_scenario(const char *ini, const char *communities, const char *sites, const char *labs);
/* A new directory (tu_tmpdir) holding `poolscreen gen`'s city of `residents`
 * for `seed`, with ini_extra (may be NULL) appended to its scenario.ini. */
char *tu_gen_city(uint64_t residents, uint64_t seed, const char *ini_extra);
/* Makes dir/name a directory with a file in it, so no output can be
 * renamed onto it. */
void tu_block(const char *dir, const char *name);
/* Number of entries in dir (without . and ..). */
int tu_entries(const char *dir);
/* Copies the tiny test scenario (tests/data/tiny) into a new directory and
 * returns it; free() the result. */
char *tu_tiny_copy(void);
/* Path dir/name in a static buffer (valid until the next call). */
const char *tu_path(const char *dir, const char *name);
/* True when d holds a diagnostic of the given severity whose file ends with
 * file_suffix, at line:col, whose message contains text. Prints all
 * diagnostics when it does not, to show what was found instead. */
int tu_has_diag(const psc_diags_t *d, psc_severity_t sev, const char *file_suffix, uint32_t line,
                uint32_t col, const char *text);
/* Loads ini and expects failure with the diagnostic described. */
void tu_expect_error(const char *ini, const char *file_suffix, uint32_t line, uint32_t col,
                     const char *text);
/* Loads dir/scenario.ini, printing its diagnostics and failing the test
 * when it does not load. */
psc_scenario_t *tu_load(const char *dir);
/* Runs a shell command, capturing stdout and stderr (each up to 1 MiB,
 * malloc'd); returns the exit status. */
int tu_run(const char *cmd, char **out, char **err);

#endif
