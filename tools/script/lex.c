/* lucidtcp script: the lexer and preprocessor (see lex.h). */
#include "script/lex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEX_MAX_NESTING 32

typedef struct lex_cond {
  int active;     /* lines here are read */
  int parent;     /* the enclosing region is active */
  int seen_else;
  int line;
} lex_cond;

typedef struct lexer {
  const char *s;
  size_t len, pos;
  int line;
  int bol;         /* only whitespace since the line began */
  int space;       /* whitespace since the last token */
  sc_defines defs;
  lex_cond cond[LEX_MAX_NESTING];
  int depth;
  sc_tokens *out;
  size_t cap;
  sc_error *err;
} lexer;

static int lex_error(lexer *lx, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lx->err->line = line;
  vsnprintf(lx->err->msg, sizeof lx->err->msg, fmt, ap);
  va_end(ap);
  return -1;
}

static int lex_active(const lexer *lx) { return lx->depth == 0 || lx->cond[lx->depth - 1].active; }

static char lex_peek(const lexer *lx, size_t ahead) {
  return lx->pos + ahead < lx->len ? lx->s[lx->pos + ahead] : '\0';
}

static void lex_push(lexer *lx, sc_tok_kind kind, const char *text, size_t len, char ch) {
  if (lx->out->count == lx->cap) {
    lx->cap = lx->cap ? lx->cap * 2 : 256;
    lx->out->toks = realloc(lx->out->toks, lx->cap * sizeof *lx->out->toks);
    if (!lx->out->toks) abort();
  }
  sc_tok *t = &lx->out->toks[lx->out->count++];
  t->kind = kind;
  t->line = lx->line;
  t->space_before = lx->space;
  t->ch = ch;
  t->text = text;
  t->len = len;
  lx->space = 0;
  lx->bol = 0;
}

static void lex_skip_line(lexer *lx) {
  while (lx->pos < lx->len && lx->s[lx->pos] != '\n') lx->pos++;
}

/* A word starting at p: its length. */
static size_t lex_word_len(const char *p, size_t max) {
  size_t n = 0;
  while (n < max && (isalnum((unsigned char)p[n]) || p[n] == '_')) n++;
  return n;
}

static int lex_directive_cond(lexer *lx, const char *dir, size_t dlen, const char *arg,
                              size_t alen) {
  int parent = lex_active(lx);
  lex_cond *c;
  if (dlen == 5 && memcmp(dir, "ifdef", 5) == 0) {
    if (!alen) return lex_error(lx, lx->line, "#ifdef needs a name");
    if (lx->depth == LEX_MAX_NESTING) return lex_error(lx, lx->line, "#ifdef nested too deep");
    c = &lx->cond[lx->depth++];
    *c = (lex_cond){parent && sc_defines_has(&lx->defs, arg, alen), parent, 0, lx->line};
  } else if (dlen == 6 && memcmp(dir, "ifndef", 6) == 0) {
    if (!alen) return lex_error(lx, lx->line, "#ifndef needs a name");
    if (lx->depth == LEX_MAX_NESTING) return lex_error(lx, lx->line, "#ifndef nested too deep");
    c = &lx->cond[lx->depth++];
    *c = (lex_cond){parent && !sc_defines_has(&lx->defs, arg, alen), parent, 0, lx->line};
  } else if (dlen == 4 && memcmp(dir, "else", 4) == 0) {
    if (!lx->depth) return lex_error(lx, lx->line, "#else without #ifdef");
    c = &lx->cond[lx->depth - 1];
    if (c->seen_else) return lex_error(lx, lx->line, "second #else for the #ifdef of line %d", c->line);
    c->seen_else = 1;
    c->active = c->parent && !c->active;
  } else if (dlen == 5 && memcmp(dir, "endif", 5) == 0) {
    if (!lx->depth) return lex_error(lx, lx->line, "#endif without #ifdef");
    lx->depth--;
  } else {
    return lex_error(lx, lx->line, "unknown directive #%.*s (known: #ifdef #ifndef #else #endif)",
                     (int)dlen, dir);
  }
  return 0;
}

/* # at the start of a line. */
static int lex_directive(lexer *lx) {
  lx->pos++;
  while (lex_peek(lx, 0) == ' ' || lex_peek(lx, 0) == '\t') lx->pos++;
  const char *dir = lx->s + lx->pos;
  size_t dlen = lex_word_len(dir, lx->len - lx->pos);
  lx->pos += dlen;
  while (lex_peek(lx, 0) == ' ' || lex_peek(lx, 0) == '\t') lx->pos++;
  const char *arg = lx->s + lx->pos;
  size_t alen = lex_word_len(arg, lx->len - lx->pos);
  lx->pos += alen;
  if (lex_directive_cond(lx, dir, dlen, arg, alen)) return -1;
  lex_skip_line(lx);
  return 0;
}

/* --name[=value] up to the end of the line or a // comment. */
static int lex_option(lexer *lx) {
  size_t start = lx->pos + 2, end = start;
  while (end < lx->len && lx->s[end] != '\n' && !(lx->s[end] == '/' && end + 1 < lx->len &&
                                                  lx->s[end + 1] == '/'))
    end++;
  lx->pos = end;
  while (end > start && isspace((unsigned char)lx->s[end - 1])) end--;
  if (end == start) return lex_error(lx, lx->line, "option line '--' without a name");
  const char *text = lx->s + start;
  size_t n = end - start;
  if (n > 7 && (memcmp(text, "define=", 7) == 0 || memcmp(text, "define ", 7) == 0)) {
    char name[64];
    size_t vlen = n - 7 < sizeof name - 1 ? n - 7 : sizeof name - 1;
    memcpy(name, text + 7, vlen);
    name[vlen] = '\0';
    if (sc_defines_add(&lx->defs, name)) return lex_error(lx, lx->line, "too many --define names");
  }
  lex_push(lx, SC_TOK_OPTION, text, n, 0);
  lx->bol = 1;
  return 0;
}

static int lex_block_comment(lexer *lx) {
  int line = lx->line;
  lx->pos += 2;
  while (lx->pos + 1 < lx->len && !(lx->s[lx->pos] == '*' && lx->s[lx->pos + 1] == '/')) {
    if (lx->s[lx->pos] == '\n') lx->line++;
    lx->pos++;
  }
  if (lx->pos + 1 >= lx->len) return lex_error(lx, line, "unterminated /* comment");
  lx->pos += 2;
  lx->space = 1;
  return 0;
}

/* Text between delimiters: `...`, %{ ... }%, "..." (strings end at the line). */
static int lex_delimited(lexer *lx, sc_tok_kind kind, size_t open_len, const char *close,
                         const char *what) {
  int line = lx->line;
  size_t clen = strlen(close);
  size_t start = lx->pos + open_len, p = start;
  while (p + clen <= lx->len && memcmp(lx->s + p, close, clen) != 0) {
    if (kind == SC_TOK_STRING && lx->s[p] == '\\' && p + 1 < lx->len) p++;
    else if (kind == SC_TOK_STRING && lx->s[p] == '\n') break;
    if (lx->s[p] == '\n') lx->line++;
    p++;
  }
  if (p + clen > lx->len || memcmp(lx->s + p, close, clen) != 0)
    return lex_error(lx, line, "unterminated %s", what);
  int end_line = lx->line;
  lx->line = line;
  lex_push(lx, kind, lx->s + start, p - start, 0);
  lx->line = end_line;
  lx->pos = p + clen;
  return 0;
}

static void lex_number(lexer *lx) {
  size_t p = lx->pos;
  const char *s = lx->s;
  if (s[p] == '0' && p + 1 < lx->len && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
    p += 2;
    while (p < lx->len && isxdigit((unsigned char)s[p])) p++;
  } else {
    while (p < lx->len && isdigit((unsigned char)s[p])) p++;
    /* one '.', but not the start of "..." (as in 0...0.100) */
    if (p < lx->len && s[p] == '.' && !(p + 1 < lx->len && s[p + 1] == '.')) {
      p++;
      while (p < lx->len && isdigit((unsigned char)s[p])) p++;
    }
  }
  lex_push(lx, SC_TOK_NUMBER, s + lx->pos, p - lx->pos, 0);
  lx->pos = p;
}

static int lex_token(lexer *lx) {
  char c = lex_peek(lx, 0), n1 = lex_peek(lx, 1);
  if (c == '-' && n1 == '-' && lx->bol) return lex_option(lx);
  if (c == '`') return lex_delimited(lx, SC_TOK_COMMAND, 1, "`", "` command");
  if (c == '%' && n1 == '{') return lex_delimited(lx, SC_TOK_CODE, 2, "}%", "%{ code block");
  if (c == '"') return lex_delimited(lx, SC_TOK_STRING, 1, "\"", "string");
  if (c == '.' && n1 == '.' && lex_peek(lx, 2) == '.') {
    lex_push(lx, SC_TOK_ELLIPSIS, lx->s + lx->pos, 3, 0);
    lx->pos += 3;
    return 0;
  }
  if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)n1))) {
    lex_number(lx);
    return 0;
  }
  if (isalpha((unsigned char)c) || c == '_') {
    size_t n = lex_word_len(lx->s + lx->pos, lx->len - lx->pos);
    lex_push(lx, SC_TOK_WORD, lx->s + lx->pos, n, 0);
    lx->pos += n;
    return 0;
  }
  if (!isprint((unsigned char)c))
    return lex_error(lx, lx->line, "unexpected byte 0x%02x", (unsigned)(unsigned char)c);
  /* Any other printable character is punctuation; the parser says where it is not expected
   * (notes such as "(Operation now in progress)" may hold anything). */
  lex_push(lx, SC_TOK_PUNCT, lx->s + lx->pos, 1, c);
  lx->pos++;
  return 0;
}

static int lex_step(lexer *lx) {
  char c = lx->s[lx->pos];
  if (c == '\n') {
    lx->line++;
    lx->bol = lx->space = 1;
    lx->pos++;
    return 0;
  }
  if (isspace((unsigned char)c)) {
    lx->space = 1;
    lx->pos++;
    return 0;
  }
  if (lx->bol && c == '#') return lex_directive(lx);
  if (!lex_active(lx)) {
    lex_skip_line(lx);
    return 0;
  }
  if (c == '/' && lex_peek(lx, 1) == '/') {
    lex_skip_line(lx);
    return 0;
  }
  if (c == '/' && lex_peek(lx, 1) == '*') return lex_block_comment(lx);
  return lex_token(lx);
}

int sc_lex(const char *text, size_t len, const sc_defines *defines, sc_tokens *out, sc_error *err) {
  lexer lx;
  memset(&lx, 0, sizeof lx);
  lx.s = text;
  lx.len = len;
  lx.line = 1;
  lx.bol = lx.space = 1;
  if (defines) lx.defs = *defines;
  lx.out = out;
  lx.err = err;
  out->toks = NULL;
  out->count = 0;
  while (lx.pos < lx.len) {
    if (lex_step(&lx)) {
      sc_lex_free(out);
      return -1;
    }
  }
  if (lx.depth) {
    int line = lx.cond[lx.depth - 1].line;
    sc_lex_free(out);
    return lex_error(&lx, line, "#ifdef without #endif");
  }
  lex_push(&lx, SC_TOK_EOF, text + len, 0, 0);
  return 0;
}

void sc_lex_free(sc_tokens *t) {
  free(t->toks);
  t->toks = NULL;
  t->count = 0;
}
