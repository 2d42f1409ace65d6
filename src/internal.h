/* Private declarations shared by the modules of the poolscreen library.
 * Internal non-static symbols carry the psc__ prefix. Nothing here prints. */
#ifndef POOLSCREEN_INTERNAL_H
#define POOLSCREEN_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "poolscreen/poolscreen.h"

#define PSC__NONE UINT32_MAX

/* ---- core/util.c ------------------------------------------------------ */
char *psc__strdup(const char *s);
char *psc__strndup(const char *s, size_t n);
/* Calloc/malloc of n elements of size sz with overflow check; NULL on failure. */
void *psc__calloc(size_t n, size_t sz);
void *psc__malloc(size_t n, size_t sz);
/* A barcode-like tube id of 19 digits: T0's date YYMMDD, the plan's tag (4
 * digits of its identity), an 8-digit sequence, a Luhn check digit over the
 * 18 before it. Returns 19 (the length), like snprintf. */
#define PSC__TUBE_ID_LEN 19
int psc__tube_code(long long date_code, uint32_t tag, uint32_t seq, char *buf, size_t size);
/* Number of Unicode code points in the UTF-8 bytes s[0..n). */
uint32_t psc__utf8_len(const char *s, size_t n);
/* The candidate closest to word by edit distance, when close enough to be a
 * typo (at most a third of the word's length, at least 2) or when word
 * begins it (3 characters at least), else NULL: the
 * "did you mean" of messages. NULL entries of cands are skipped. */
const char *psc__closest(const char *word, const char *const *cands, size_t n);

/* ---- core/diag.c ------------------------------------------------------ */
int psc__error(psc_diags_t *d, const char *file, uint32_t line, uint32_t column,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int psc__warning(psc_diags_t *d, const char *file, uint32_t line, uint32_t column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- core/parse.c: numbers and clock times from text ------------------- */
typedef enum {
  PSC__NUM_OK = 0,
  PSC__NUM_EMPTY,    /* no text at all */
  PSC__NUM_SYNTAX,   /* not a number */
  PSC__NUM_NEGATIVE, /* a negative number where only >= 0 is allowed */
  PSC__NUM_RANGE     /* outside the representable or allowed range */
} psc__num_status_t;
/* Whole number in [0, max]; leading/trailing blanks allowed. */
psc__num_status_t psc__parse_u64(const char *s, uint64_t max, uint64_t *out);
/* Finite real number in [min, max]. */
psc__num_status_t psc__parse_double(const char *s, double min, double max, double *out);
/* A short English phrase for a status, e.g. "is not a number". */
const char *psc__num_status_text(psc__num_status_t st);
/* True when s[0..n) reads like a long number that a spreadsheet (Excel)
 * rewrote in scientific notation, "2.20501E+14": an id whose digits are
 * lost. */
int psc__excel_mangled(const char *s, size_t n);
/* The text of the error for such an id (what, e.g. "tube", and the id). */
#define PSC__EXCEL_MANGLED_FMT                                                 \
  "%s '%s' looks like a number a spreadsheet (Excel) rewrote in scientific "    \
  "notation, so its digits are lost: format the column as Text and export it " \
  "again"
/* "HH:MM" clock time in minutes after midnight: 00:00..23:59, and 24:00
 * when allow_24 is set. Returns 0 or -1. */
int psc__parse_clock(const char *s, int allow_24, int *minutes);
/* "YYYY-MM-DD HH:MM" with a valid calendar date. Returns 0 or -1 and the
 * clock time in minutes after midnight. */
int psc__parse_datetime(const char *s, int *minute_of_day);

/* ---- core/strmap.c: string -> index map over caller-held keys --------- */
/* Keys are not copied: key_of(ctx, value, &len) returns the key of a stored
 * value, so values can be indices into arrays that grow (string pools). */
typedef const char *(*psc__key_fn)(const void *ctx, uint32_t value, size_t *len);
typedef struct {
  uint32_t *slots; /* value + 1, 0 = empty */
  uint32_t *hashes;
  uint32_t cap, n;
  psc__key_fn key_of;
  const void *ctx;
} psc__strmap_t;
int psc__strmap_init(psc__strmap_t *m, uint32_t expected, psc__key_fn key_of, const void *ctx);
void psc__strmap_free(psc__strmap_t *m);
/* Returns the value stored for key, or PSC__NONE. */
uint32_t psc__strmap_get(const psc__strmap_t *m, const char *key, size_t len);
/* Inserts key -> value unless key is present. Returns PSC__NONE when
 * inserted, the existing value when present, and sets *err on ENOMEM. */
uint32_t psc__strmap_put(psc__strmap_t *m, const char *key, size_t len, uint32_t value, int *err);

/* ---- core/rng.c: independent random streams ---------------------------- */
/* A 64-bit mixing function (SplitMix64 finaliser). */
uint64_t psc__mix64(uint64_t x);
/* A GSL generator whose stream depends only on (seed, domain, index): one
 * stream per community, replicate or other unit of parallel work, so that
 * results do not depend on the thread count. NULL when out of memory. */
gsl_rng *psc__rng_stream(uint64_t seed, uint64_t domain, uint64_t index);

/* Domains of random streams (kept stable: changing one changes outputs). */
enum { PSC__RNG_ROSTER = 1, PSC__RNG_SIM = 2, PSC__RNG_FAIL = 4, PSC__RNG_RETEST_FAIL = 8 };

/* ---- io/source.c: where scenario files come from ----------------------- */
/* Opens a file for reading: from disk, or from the data compiled into the
 * library for the embedded default scenario. NULL with errno set. */
typedef struct {
  FILE *(*open)(const void *ctx, const char *path);
  const void *ctx;
} psc__source_t;
extern const psc__source_t psc__disk_source;
extern const psc__source_t psc__embedded_source;
/* Joins a path relative to the directory of base (which is a file path). */
char *psc__path_join_dir(const char *base, const char *rel);

/* ---- io/h5_quiet.c: HDF5 calls without HDF5's own error printing ------- */
/* Opens a section in which HDF5 does not print its error stack (the library
 * reports errors itself). HDF5's automatic error handler is process-wide in
 * a build of HDF5 without thread-safety, so sections are serialised by one
 * lock: a thread entering waits until no other thread is inside. Sections
 * nest within one thread; the handler in force before the outermost one is
 * restored when it ends. Never call from inside an OpenMP region that
 * another thread's section encloses. */
void psc__h5_quiet_begin(void);
void psc__h5_quiet_end(void);

/* ---- core/rng.c: GSL ---------------------------------------------------- */
/* Makes sure GSL's default error handler (which aborts the process) is not
 * in force: turns GSL's handler off unless the program installed its own,
 * which is left as it is. Called before any GSL use (psc__rng_stream). */
void psc__gsl_guard(void);

/* ---- io/atomic.c: whole outputs or none ------------------------------ */
/* "<path>.tmp-<pid>"; free() it. NULL when out of memory. */
char *psc__temp_name(const char *path);
/* Renames tmp to path (removing tmp on failure). 0 or PSC_EIO with errno. */
int psc__commit_file(const char *tmp, const char *path);
/* Creates dir and its parents as needed. 0, PSC_EIO or PSC_ENOMEM. */
int psc__mkdir_p(const char *dir);
/* One output file: its name and what writes it — fn to an open stream
 * (text), or to_path to a file it creates itself (HDF5). */
typedef int (*psc__writer_fn)(const void *ctx, FILE *f);
typedef int (*psc__path_writer_fn)(const void *ctx, const char *path);
typedef struct {
  const char *name;
  psc__writer_fn fn;
  psc__path_writer_fn to_path;
} psc__out_file_t;
/* Writes files[0..nwrite) into the set's staging folder, then swaps the set
 * in (io/outset.c): files[0..nowned) are the command's own names, which the
 * new set replaces or drops; every other entry of the folder is kept. On
 * failure psc_outset_error() names the path and the reason. 0, PSC_EIO,
 * PSC_EHDF5, PSC_EINVAL (set already used or failed) or PSC_ENOMEM. */
struct psc_outset;
int psc__outset_write(struct psc_outset *set, const psc__out_file_t *files, size_t nwrite,
                      size_t nowned, const void *ctx);
/* psc__outset_write with the files written at the same time, each on a
 * thread of its own (a file's bytes are copied into the page cache under
 * its own lock, so two large files are written faster at once than one
 * after the other). The writers must be safe to run together; each file is
 * the same bytes as when written alone. */
int psc__outset_write_concurrent(struct psc_outset *set, const psc__out_file_t *files,
                                 size_t nwrite, size_t nowned, const void *ctx);
/* For writers that make their files themselves (gen): the path of name in
 * the set's staging folder (free() it; NULL when out of memory or the set
 * is not open), and the commit of names[0..n) — the set's own names — once
 * they are complete. 0, PSC_EIO (psc_outset_error), PSC_EINVAL, PSC_ENOMEM. */
char *psc__outset_file(struct psc_outset *set, const char *name);
int psc__outset_commit(struct psc_outset *set, const char *const *names, size_t n);
/* psc__outset_write on a set opened and freed here. */
int psc__write_files(const char *dir, const psc__out_file_t *files, size_t n, const void *ctx);
/* report/report.c: the resource that holds a plan back, by the rule
 * `poolscreen plan` prints ("labs", "sampling", "door-to-door",
 * "transport"), and its utilisation (NaN for transport) in *util. */
const char *psc__bottleneck(const psc_utilisation_t *u, double *util);
/* psc_plan_write_to and psc_sim_write_to with one more file in the set
 * (report.html; NULL: none); its writer gets the set's context: a
 * psc__plan_out_t (plan/plan_internal.h) for a plan, the psc_sim_t for a
 * simulation. report.html is each command's own name: a run without it
 * drops an older one. The _with forms open and free a set on outdir. */
int psc__plan_write_to_with(const psc_plan_t *p, struct psc_outset *set, int with_csv,
                            int threads, const psc__out_file_t *extra);
int psc__sim_write_to_with(const psc_sim_t *sim, struct psc_outset *set,
                           const psc__out_file_t *extra);
int psc__plan_write_with(const psc_plan_t *p, const char *outdir, int with_csv, int threads,
                         const psc__out_file_t *extra);
int psc__sim_write_with(const psc_sim_t *sim, const char *outdir, const psc__out_file_t *extra);
/* One file written through of->to_path under a temporary name, renamed to
 * path when complete. 0 or the writer's error. */
int psc__write_file(const char *path, const psc__out_file_t *of, const void *ctx);
/* The files of a plan's set in the order written (plan.h5 first, then the
 * CSVs), *n of them; each writer's context is a psc__plan_out_t. For
 * bench_output, which times every writer alone. */
const psc__out_file_t *psc__plan_files(size_t *n);
/* Renames every tmp[k] to path[k] when rc is 0 (stopping at the first
 * failure), else removes them; frees both names. Returns the final rc. */
int psc__commit_files(char **tmp, char **path, size_t n, int rc);
/* Copies a file (0 or PSC_EIO). */
int psc__copy_file(const char *from, const char *to);
/* A CSV text field, quoted only when it needs to be. */
void psc__csv_put_text(FILE *f, const char *s);

/* ---- io/csv_read.c: CSV tables with columns found by name --------------- */
typedef struct {
  const char *name;
  int required;
} psc__csv_col_t;
typedef struct {
  const char *text; /* NUL-terminated; NULL when the column is absent */
  uint32_t len, line, col;
} psc__csv_field_t;
typedef struct {
  uint32_t line;                 /* line where the record starts */
  const psc__csv_field_t *field; /* indexed like the schema */
} psc__csv_row_t;
/* Returns 0 to go on, a negative PSC_E* code to stop reading. */
typedef int (*psc__csv_row_fn)(void *ud, const psc__csv_row_t *row);
/* Reads a whole CSV table, calling fn once per data record. Problems with the
 * file itself (empty, missing columns, broken quoting, wrong field counts)
 * are added to d; unknown columns give warnings. Returns 0 when the table
 * was read to its end (there may still be errors in d), PSC_EINPUT when the
 * header was unusable, or the code fn returned. *rows gets the number of
 * data records passed to fn. */
int psc__csv_read(FILE *fp, const char *file, const psc__csv_col_t *cols, size_t ncols,
                  psc__csv_row_fn fn, void *ud, psc_diags_t *d, uint32_t *rows);
/* Plain lines (no quote, blank, NUL or lone CR) are split by the reader
 * itself, libcsv parses the rest; 1 by default. Tests set 0 to compare
 * with libcsv alone. */
extern int psc__csv_fast_lines;

/* ---- scenario: the loaded model -------------------------------------- */
#include "scenario/model.h"

#endif
