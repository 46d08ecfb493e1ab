/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include "cab-test-leaks.h"

#if defined(__SANITIZE_ADDRESS__)
# define CAB_TEST_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define CAB_TEST_ASAN 1
# endif
#endif

#ifdef CAB_TEST_ASAN

#include <link.h>
#include <string.h>
#include <sanitizer/lsan_interface.h>

/* The allocator's interface (compiler-rt's allocator_interface.h, which
 * GCC does not install; libasan exports both). */
int    __sanitizer_get_ownership      (const volatile void *p);
size_t __sanitizer_get_allocated_size (const volatile void *p);

/* glib/gquark.c: QUARK_BLOCK_SIZE pointers a block. */
#define QUARK_BLOCK_BYTES (2048 * sizeof (char *))

typedef struct
{
  const char *first;   /* quark 1's string: the block's second pointer */
  gpointer    block;
} Search;

/* GLib's static "quarks" points at the block: look through GLib's
 * writable segments for a pointer to a heap block of the block's size
 * whose entry 1 is quark 1's string. The sanitizer's allocator says which
 * words are heap blocks, so no other word is read through. */
static int
search_glib (struct dl_phdr_info *info,
             size_t               size,
             void                *data)
{
  Search *search = data;

  if (info->dlpi_name == NULL || strstr (info->dlpi_name, "/libglib-2.0.so") == NULL)
    return 0;
  for (int i = 0; i < info->dlpi_phnum && search->block == NULL; i++)
    {
      const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
      guintptr start = info->dlpi_addr + phdr->p_vaddr;
      guintptr end = start + phdr->p_memsz;

      if (phdr->p_type != PT_LOAD || (phdr->p_flags & PF_W) == 0)
        continue;
      for (guintptr at = (start + sizeof (gpointer) - 1) & ~(guintptr) (sizeof (gpointer) - 1);
           at + sizeof (gpointer) <= end; at += sizeof (gpointer))
        {
          char **block = *(char ***) at;

          if (block != NULL && __sanitizer_get_ownership (block) &&
              __sanitizer_get_allocated_size (block) == QUARK_BLOCK_BYTES &&
              block[1] == search->first)
            {
              search->block = block;
              break;
            }
        }
    }
  return 1;
}

gboolean
cab_test_leaks_ignore_quark_block (void)
{
  Search search = { g_quark_to_string (1), NULL };

  if (search.first == NULL)
    return FALSE;
  dl_iterate_phdr (search_glib, &search);
  if (search.block == NULL)
    {
      g_printerr ("GLib's first quark block was not found: LeakSanitizer will report it\n");
      return FALSE;
    }
  __lsan_ignore_object (search.block);
  return TRUE;
}

#else

gboolean
cab_test_leaks_ignore_quark_block (void)
{
  return TRUE;
}

#endif
