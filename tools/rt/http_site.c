/* The site of `serve --service http:DIR`: the files under DIR, a directory's index.html or its
 * listing, and no way out of DIR through a symbolic link unless --follow-symlinks. */
#define _GNU_SOURCE
#include "rt/http.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SITE_LIST_MAX 4096 /* entries a listing shows */
#define SITE_FULL_MAX (sizeof(((http_site *)0)->real) + HTTP_PATH_MAX + 16)

int http_site_init(http_site *site, const char *root, int follow_symlinks) {
  memset(site, 0, sizeof *site);
  site->root = root;
  site->follow_symlinks = follow_symlinks;
  char *real = realpath(root, NULL);
  if (!real) return -1;
  int n = snprintf(site->real, sizeof site->real, "%s", real);
  free(real);
  if (n < 0 || (size_t)n >= sizeof site->real) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

/* The file open at fd (full is its path) lies under DIR's real path: where the kernel says fd
 * is (/proc/self/fd, so a link changed since the open cannot fool it), else full's realpath. */
static int site_inside(const http_site *site, int fd, const char *full) {
  if (site->follow_symlinks) return 1;
  char link[64], real[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, real, sizeof real - 1);
  if (n >= 0) real[n] = '\0';
  else if (!realpath(full, real)) return 0;
  size_t rl = strlen(site->real);
  if (rl == 1) return 1; /* DIR is "/" */
  return strncmp(real, site->real, rl) == 0 && (real[rl] == '/' || real[rl] == '\0');
}

/* ---- listings */

typedef struct site_entry {
  char *name;
  int dir;
} site_entry;

static int site_entry_cmp(const void *a, const void *b) {
  return strcmp(((const site_entry *)a)->name, ((const site_entry *)b)->name);
}

static void site_html(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '"': fputs("&quot;", f); break;
      case '\'': fputs("&#39;", f); break;
      default: fputc(*s, f);
    }
  }
}

/* The first n bytes of s percent-encoded (RFC 3986 §2.1), keeping '/' and the unreserved
 * characters. */
static void site_href_n(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-._~/", c))
      fputc(c, f);
    else
      fprintf(f, "%%%02X", c);
  }
}

static void site_href(FILE *f, const char *s) { site_href_n(f, s, strlen(s)); }

/* The names in d, sorted, at most SITE_LIST_MAX ("." and ".." left out); *more when there were
 * others. NULL when out of memory. */
static site_entry *site_read_dir(DIR *d, size_t *count, int *more) {
  site_entry *e = calloc(SITE_LIST_MAX, sizeof *e);
  size_t n = 0;
  *more = 0;
  for (struct dirent *de; e && (de = readdir(d)) != NULL;) { /* bounded: SITE_LIST_MAX + 2 */
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    if (n == SITE_LIST_MAX) {
      *more = 1;
      break;
    }
    struct stat st;
    e[n].dir = fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    if (!(e[n].name = strdup(de->d_name))) break;
    n++;
  }
  if (e) qsort(e, n, sizeof *e, site_entry_cmp);
  *count = n;
  return e;
}

static void site_write_listing(FILE *f, const char *path, const site_entry *e, size_t n,
                               int more) {
  size_t pl = strlen(path);
  const char *slash = pl > 0 && path[pl - 1] == '/' ? "" : "/";
  fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ", f);
  site_html(f, path);
  fputs("</title></head>\n<body><h1>Index of ", f);
  site_html(f, path);
  fputs("</h1>\n<ul>\n", f);
  if (strcmp(path, "/") != 0) { /* the parent: up to the '/' before the last name */
    size_t end = pl - (pl > 1 && path[pl - 1] == '/');
    while (end > 0 && path[end - 1] != '/') end--;
    fputs("<li><a href=\"", f);
    site_href_n(f, path, end);
    fputs("\">../</a></li>\n", f);
  }
  for (size_t i = 0; i < n; i++) {
    fputs("<li><a href=\"", f);
    site_href(f, path);
    fputs(slash, f);
    site_href(f, e[i].name);
    fputs(e[i].dir ? "/\">" : "\">", f);
    site_html(f, e[i].name);
    fputs(e[i].dir ? "/</a></li>\n" : "</a></li>\n", f);
  }
  if (more) fprintf(f, "<li>(only the first %d entries are shown)</li>\n", SITE_LIST_MAX);
  fputs("</ul></body></html>\n", f);
}

/* A listing of the directory open at dir (taken), as a file in memory. 0 or a negative errno. */
static int site_listing(int dir, const char *path, int *fd, uint64_t *len) {
  DIR *d = fdopendir(dir);
  if (!d) {
    int e = errno;
    close(dir);
    return -e;
  }
  size_t n;
  int more, rc = -ENOMEM;
  site_entry *e = site_read_dir(d, &n, &more);
  int mfd = e ? memfd_create("lucidtcp-listing", MFD_CLOEXEC) : -1;
  int wfd = mfd >= 0 ? dup(mfd) : -1;
  FILE *f = wfd >= 0 ? fdopen(wfd, "w") : NULL;
  if (f) {
    site_write_listing(f, path, e, n, more);
    struct stat sb;
    if (fclose(f) == 0 && fstat(mfd, &sb) == 0) {
      *fd = mfd;
      *len = (uint64_t)sb.st_size;
      rc = 0;
    }
  } else if (wfd >= 0) {
    close(wfd);
  }
  if (rc != 0 && mfd >= 0) close(mfd);
  for (size_t i = 0; e && i < n; i++) free(e[i].name);
  free(e);
  closedir(d);
  return rc;
}

/* ---- opening */

/* The file open at fd (full its path) is one to send: under DIR, regular. 0 or -EACCES. */
static int site_check(const http_site *site, int fd, const char *full, struct stat *sb) {
  if (!site_inside(site, fd, full) || fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) return -EACCES;
  return 0;
}

int http_site_open(const http_site *site, const char *path, int *fd, uint64_t *len,
                   int *is_listing) {
  char full[SITE_FULL_MAX];
  struct stat sb;
  *is_listing = 0;
  snprintf(full, sizeof full, "%s%s", site->real, path);
  int f = open(full, O_RDONLY | O_CLOEXEC);
  if (f < 0) return -errno;
  if (fstat(f, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    if (!site_inside(site, f, full)) {
      close(f);
      return -EACCES;
    }
    int dir = f;
    f = openat(dir, "index.html", O_RDONLY | O_CLOEXEC);
    if (f < 0 && errno == ENOENT) {
      *is_listing = 1;
      return site_listing(dir, path, fd, len);
    }
    int e = errno;
    close(dir);
    if (f < 0) return -e;
    snprintf(full, sizeof full, "%s%s%sindex.html", site->real, path,
             path[strlen(path) - 1] == '/' ? "" : "/");
  }
  int rc = site_check(site, f, full, &sb);
  if (rc != 0) {
    close(f);
    return rc;
  }
  *fd = f;
  *len = (uint64_t)sb.st_size;
  return 0;
}
