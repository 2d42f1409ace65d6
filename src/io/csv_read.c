/* CSV tables through libcsv, with every field's line and column known.
 *
 * libcsv reports a field only when it sees the byte that ends it, so the
 * input is fed in pieces that end at each comma or line break: when a
 * callback fires, the current piece's last byte ended the field, and the
 * reader knows exactly where that field began. */
#include "internal.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 1024

int psc__csv_fast_lines = 1;
#define MAX_FIELD_BYTES (1u << 20)

typedef struct {
  /* position of the next byte to feed */
  uint32_t line, col;
  int prev_cr;
  /* the field being accumulated */
  int need_start;
  uint32_t start_line, start_col;
  /* position of the last byte of the current piece */
  uint32_t piece_end_line, piece_end_col;
  /* the current record */
  char *buf;
  size_t buf_len, buf_cap;
  size_t nf;
  size_t off[MAX_FIELDS];
  uint32_t len[MAX_FIELDS], fline[MAX_FIELDS], fcol[MAX_FIELDS];
  int too_many;
  /* the header and the schema */
  int header_done;
  size_t nheader;
  int *map; /* header field index -> schema column, or -1 */
  const psc__csv_col_t *cols;
  size_t ncols;
  psc__csv_field_t *row;
  /* results */
  const char *file;
  psc_diags_t *d;
  psc__csv_row_fn fn;
  void *ud;
  int rc; /* first fatal code */
  uint32_t rows;
  /* libcsv is between records (a record just ended, or nothing fed yet):
   * a plain line may then take the fast path (fast_line) */
  int row_start, record_ended;
} reader_t;

static void on_field(void *s, size_t n, void *data) {
  reader_t *r = data;
  if (r->rc)
    return;
  if (r->need_start) { /* an empty field: it stands where its delimiter is */
    r->start_line = r->piece_end_line;
    r->start_col = r->piece_end_col;
  }
  r->need_start = 1;
  if (r->nf == MAX_FIELDS) {
    r->too_many = 1;
    return;
  }
  if (n > MAX_FIELD_BYTES) {
    psc__error(r->d, r->file, r->start_line, r->start_col, "field longer than %u bytes",
               MAX_FIELD_BYTES);
    r->rc = PSC_EINPUT;
    return;
  }
  if (r->buf_len + n + 1 > r->buf_cap) {
    size_t cap = (r->buf_cap ? r->buf_cap : 256);
    while (cap < r->buf_len + n + 1)
      cap *= 2;
    char *b = realloc(r->buf, cap);
    if (!b) {
      r->rc = PSC_ENOMEM;
      return;
    }
    r->buf = b;
    r->buf_cap = cap;
  }
  memcpy(r->buf + r->buf_len, s ? s : "", n);
  r->buf[r->buf_len + n] = '\0';
  r->off[r->nf] = r->buf_len;
  r->len[r->nf] = (uint32_t)n;
  r->fline[r->nf] = r->start_line;
  r->fcol[r->nf] = r->start_col;
  r->nf++;
  r->buf_len += n + 1;
}

/* Column names match whatever their case ("ID", "Population"): files
 * exported from spreadsheets capitalise headers. */
static int trimmed_eq(const char *a, const char *b) {
  while (*a == ' ' || *a == '\t')
    a++;
  size_t n = strlen(a);
  while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
    n--;
  return strlen(b) == n && !strncasecmp(a, b, n);
}

/* The delimiter a one-field header was written with instead of commas
 * (';' by spreadsheets in locales with a decimal comma, or a tab), or 0. */
static char other_delimiter(const char *header) {
  if (strchr(header, ';'))
    return ';';
  if (strchr(header, '\t'))
    return '\t';
  return 0;
}

static void take_header(reader_t *r) {
  r->header_done = 1;
  r->nheader = r->nf;
  r->map = malloc((r->nf ? r->nf : 1) * sizeof(int));
  if (!r->map) {
    r->rc = PSC_ENOMEM;
    return;
  }
  int *seen = calloc(r->ncols ? r->ncols : 1, sizeof(int));
  if (!seen) {
    r->rc = PSC_ENOMEM;
    return;
  }
  char delim = r->nf == 1 && r->ncols > 1 ? other_delimiter(r->buf + r->off[0]) : 0;
  if (delim) {
    /* one error that says why, instead of one per missing column */
    psc__error(r->d, r->file, r->fline[0], r->fcol[0],
               "the header is separated by %s, not commas: save the file as CSV with commas "
               "(in Excel: 'CSV UTF-8 (Comma delimited)')",
               delim == ';' ? "semicolons (';')" : "tabs");
    free(seen);
    r->rc = PSC_EINPUT;
    return;
  }
  for (size_t i = 0; i < r->nf; i++) {
    const char *name = r->buf + r->off[i];
    r->map[i] = -1;
    for (size_t c = 0; c < r->ncols; c++) {
      if (trimmed_eq(name, r->cols[c].name)) {
        if (seen[c]) {
          psc__error(r->d, r->file, r->fline[i], r->fcol[i], "duplicate column '%s'",
                     r->cols[c].name);
          r->rc = PSC_EINPUT;
        } else {
          r->map[i] = (int)c;
        }
        seen[c] = 1;
      }
    }
    if (r->map[i] < 0) {
      int known = 0;
      for (size_t c = 0; c < r->ncols; c++)
        known |= trimmed_eq(name, r->cols[c].name);
      if (!known)
        psc__warning(r->d, r->file, r->fline[i], r->fcol[i], "unknown column '%s' ignored",
                     name);
    }
  }
  int missing = 0;
  for (size_t c = 0; c < r->ncols; c++) {
    if (r->cols[c].required && !seen[c]) {
      psc__error(r->d, r->file, 1, 1, "missing required column '%s'", r->cols[c].name);
      missing = 1;
    }
  }
  free(seen);
  if (missing && !r->rc)
    r->rc = PSC_EINPUT;
}

static void on_record(int term, void *data) {
  (void)term;
  reader_t *r = data;
  r->record_ended = 1;
  if (r->rc)
    goto reset;
  if (r->too_many) {
    psc__error(r->d, r->file, r->nf ? r->fline[0] : r->line, 1,
               "record has more than %d fields", MAX_FIELDS);
    goto reset;
  }
  if (!r->header_done) {
    take_header(r);
    goto reset;
  }
  if (r->nf != r->nheader) {
    psc__error(r->d, r->file, r->fline[0], r->nf < r->nheader ? r->piece_end_col : 1,
               "record has %zu fields but the header has %zu", r->nf, r->nheader);
    goto reset;
  }
  for (size_t c = 0; c < r->ncols; c++)
    r->row[c] = (psc__csv_field_t){NULL, 0, r->fline[0], 1};
  for (size_t i = 0; i < r->nf; i++) {
    int c = r->map[i];
    if (c >= 0)
      r->row[c] = (psc__csv_field_t){r->buf + r->off[i], r->len[i], r->fline[i], r->fcol[i]};
  }
  psc__csv_row_t row = {r->fline[0], r->row};
  r->rows++;
  int rc = r->fn(r->ud, &row);
  if (rc)
    r->rc = rc;
reset:
  r->nf = 0;
  r->buf_len = 0;
  r->too_many = 0;
  r->need_start = 1;
}

/* Advances the position over piece[0..n), whose only possible line break is
 * its last byte. */
static void advance(reader_t *r, const char *piece, size_t n) {
  char last = piece[n - 1];
  if (last == '\n' || last == '\r') {
    int crlf = last == '\n' && r->prev_cr && n == 1;
    if (!crlf) {
      r->line++;
    }
    r->col = 1;
    r->prev_cr = last == '\r';
  } else {
    r->col += psc__utf8_len(piece, n);
    r->prev_cr = 0;
  }
}

static int is_break(unsigned char c) { return c == ',' || c == '\n' || c == '\r'; }

/* The fast path for a plain line when libcsv is between records: a whole
 * line in data[i..n) ending in LF or CRLF, not empty, without a quote,
 * space, tab, NUL or lone CR, is split at its commas here and handed to
 * the same field and record callbacks, with the same positions, as libcsv
 * would (libcsv keeps such fields as they are and stays between records).
 * Returns the index after the line, or i when the line is not plain (the
 * caller feeds it to libcsv). */
static size_t fast_line(reader_t *r, const char *data, size_t i, size_t n) {
  const char *nl = memchr(data + i, '\n', n - i);
  if (!nl)
    return i;
  size_t e = (size_t)(nl - data), ce = e > i && data[e - 1] == '\r' ? e - 1 : e;
  if (ce == i)
    return i;
  size_t commas = 0;
  unsigned high = 0;
  for (size_t k = i; k < ce; k++) {
    unsigned char c = (unsigned char)data[k];
    if (c == '"' || c == ' ' || c == '\t' || c == '\r' || c == '\0')
      return i;
    commas += c == ',';
    high |= c;
  }
  if (commas >= MAX_FIELDS)
    return i;
  const int ascii = !(high & 0x80); /* a column per byte */
  uint32_t col = r->col; /* column of data[a] */
  for (size_t a = i; a <= ce && !r->rc;) {
    size_t b = a;
    while (b < ce && data[b] != ',')
      b++;
    /* the delimiter's column */
    uint32_t end_col = col + (ascii ? (uint32_t)(b - a) : psc__utf8_len(data + a, b - a));
    if (b > a) {
      r->need_start = 0;
      r->start_line = r->line;
      r->start_col = col;
    }
    r->piece_end_line = r->line;
    r->piece_end_col = end_col;
    on_field((void *)(data + a), b - a, r);
    col = end_col + 1;
    a = b + 1;
  }
  /* the record ends at its CR or LF, whose column piece_end_col holds */
  if (!r->rc)
    on_record(0, r);
  r->line++;
  r->col = 1;
  r->prev_cr = 0;
  return e + 1;
}

static void feed(reader_t *r, struct csv_parser *p, const char *data, size_t n) {
  size_t i = 0;
  while (i < n && !r->rc) {
    if (r->row_start && psc__csv_fast_lines) {
      size_t next = fast_line(r, data, i, n);
      if (next != i) {
        i = next;
        continue;
      }
    }
    size_t j = i;
    while (j < n && !is_break((unsigned char)data[j])) {
      if (data[j] == '\0') {
        psc__error(r->d, r->file, r->line, r->col + psc__utf8_len(data + i, j - i),
                   "NUL byte: this is not a text file");
        r->rc = PSC_EINPUT;
        return;
      }
      j++;
    }
    size_t end = j < n ? j + 1 : n; /* the piece is data[i..end) */
    if (r->need_start) {
      size_t k = i;
      while (k < end && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n'))
        k++;
      if (k < end && !is_break((unsigned char)data[k])) {
        r->need_start = 0;
        r->start_line = r->line;
        r->start_col = r->col + psc__utf8_len(data + i, k - i);
      }
    }
    r->piece_end_line = r->line;
    r->piece_end_col = r->col + psc__utf8_len(data + i, end - i) - 1;
    r->record_ended = 0;
    size_t used = csv_parse(p, data + i, end - i, on_field, on_record, r);
    /* between records after a record's end, or after a lone line break
     * between records (libcsv skips blank lines) */
    r->row_start = r->record_ended ||
                   (r->row_start && end - i == 1 && (data[i] == '\n' || data[i] == '\r'));
    if (used != end - i && !r->rc) {
      uint32_t col = r->col + psc__utf8_len(data + i, used);
      psc__error(r->d, r->file, r->line, col, "malformed CSV: %s (a quote inside an "
                 "unquoted field, or text after a closing quote)", csv_strerror(csv_error(p)));
      r->rc = PSC_EINPUT;
      return;
    }
    advance(r, data + i, end - i);
    i = end;
  }
}

int psc__csv_read(FILE *fp, const char *file, const psc__csv_col_t *cols, size_t ncols,
                  psc__csv_row_fn fn, void *ud, psc_diags_t *d, uint32_t *rows) {
  reader_t *r = calloc(1, sizeof(*r));
  psc__csv_field_t *row = calloc(ncols ? ncols : 1, sizeof(*row));
  struct csv_parser p;
  if (!r || !row || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
    free(r);
    free(row);
    return PSC_ENOMEM;
  }
  *r = (reader_t){.line = 1, .col = 1, .need_start = 1, .cols = cols, .ncols = ncols,
                  .row = row, .file = file, .d = d, .fn = fn, .ud = ud, .row_start = 1};
  char chunk[65536];
  size_t n;
  int first = 1, any = 0;
  while (!r->rc && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
    const char *data = chunk;
    if (first && n >= 3 && !memcmp(chunk, "\xEF\xBB\xBF", 3)) {
      data += 3;
      n -= 3;
    }
    first = 0;
    for (size_t k = 0; k < n && !any; k++)
      any = !(data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n');
    if (n)
      feed(r, &p, data, n);
  }
  if (!r->rc && ferror(fp)) {
    psc__error(d, file, r->line, r->col, "read error: %s", strerror(errno));
    r->rc = PSC_EIO;
  }
  if (!r->rc) {
    r->piece_end_line = r->line;
    r->piece_end_col = r->col;
    if (csv_fini(&p, on_field, on_record, r) != 0 && !r->rc) {
      psc__error(d, file, r->line, r->col, "malformed CSV: unterminated quoted field");
      r->rc = PSC_EINPUT;
    }
  }
  if (!r->rc && !any) {
    psc__error(d, file, 1, 1, "file is empty (expected a header row)");
    r->rc = PSC_EINPUT;
  }
  int rc = r->rc;
  if (rows)
    *rows = r->rows;
  csv_free(&p);
  free(r->buf);
  free(r->map);
  free(r);
  free(row);
  return rc;
}
