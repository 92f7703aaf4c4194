/* lucidtcp script: the lexer. It also does the preprocessing: // and / * * / comments,
 * #ifdef NAME / #ifndef NAME / #else / #endif, and option lines (--name=value). */
#ifndef LTCP_TOOLS_SCRIPT_LEX_H
#define LTCP_TOOLS_SCRIPT_LEX_H

#include <stddef.h>

#include "script/ast.h"

typedef enum sc_tok_kind {
  SC_TOK_EOF,
  SC_TOK_NUMBER,   /* 12, 0.100, .01, 0x2 (text as written) */
  SC_TOK_WORD,     /* letters, digits, _ (not starting with a digit) */
  SC_TOK_STRING,   /* "..." (text without the quotes, escapes not yet applied) */
  SC_TOK_COMMAND,  /* `...` (text inside the backticks) */
  SC_TOK_CODE,     /* %{ ... }% (text inside) */
  SC_TOK_OPTION,   /* --name[=value] on a line of its own (text without the dashes) */
  SC_TOK_ELLIPSIS, /* ... */
  SC_TOK_PUNCT     /* one character: < > [ ] { } ( ) , = | : ~ + - * ! . */
} sc_tok_kind;

typedef struct sc_tok {
  sc_tok_kind kind;
  int line;
  int space_before;   /* whitespace (or a line break) precedes it */
  char ch;            /* PUNCT */
  const char *text;   /* into the source */
  size_t len;
} sc_tok;

typedef struct sc_tokens {
  sc_tok *toks;
  size_t count;
} sc_tokens;

/* Splits text into tokens (the last is SC_TOK_EOF). --define option lines add to a copy of
 * defines as they are met, so a script can set names for its own #ifdefs. Returns 0, or -1
 * with *err filled. The tokens point into text; free them with sc_lex_free. */
int sc_lex(const char *text, size_t len, const sc_defines *defines, sc_tokens *out, sc_error *err);
void sc_lex_free(sc_tokens *t);

#endif
