/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* Read-ahead under TLS (docs/architecture.md, "What the sync relies on").
 * GnuTLS reads a record's 5-byte header, then its body, each with a read of
 * its own, and Dovecot sends 4 kB records: two recv() calls per 4 kB, half
 * a million for a 1 GB sync, on the fetch thread that every message waits
 * for. Under the TLS connection this stream reads what the socket holds,
 * up to its buffer, in one call, and serves GnuTLS's small reads from it.
 * It is pollable (GIO's TLS needs that of its base stream): readable when
 * it holds bytes or the socket is readable. One reader at a time, as any
 * GInputStream. Closing it leaves the socket to its connection. */

#include "cab-read-ahead.h"

#include <string.h>

struct _CabReadAheadStream
{
  GInputStream  parent_instance;
  GInputStream *base;    /* pollable */
  guint8       *buffer;
  gsize         size;
  gsize         start;   /* bytes [start, end) not handed out yet */
  gsize         end;
};

static void pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabReadAheadStream, cab_read_ahead_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, pollable_iface_init))

static gssize
take (CabReadAheadStream *self, void *buffer, gsize count)
{
  gsize n = MIN (count, self->end - self->start);

  memcpy (buffer, self->buffer + self->start, n);
  self->start += n;
  return n;
}

/* Refills the empty buffer with one read of @base (blocking or not). */
static gssize
fill (CabReadAheadStream *self, gboolean blocking, GCancellable *cancellable, GError **error)
{
  gssize n = g_pollable_stream_read (self->base, self->buffer, self->size, blocking, cancellable, error);

  if (n > 0)
    {
      self->start = 0;
      self->end = n;
    }
  return n;
}

static gssize
read_any (CabReadAheadStream *self, void *buffer, gsize count, gboolean blocking,
          GCancellable *cancellable, GError **error)
{
  gssize n;

  if (count == 0 || self->start < self->end)
    return take (self, buffer, count);
  /* As large as the buffer: no use copying through it. */
  if (count >= self->size)
    return g_pollable_stream_read (self->base, buffer, count, blocking, cancellable, error);
  n = fill (self, blocking, cancellable, error);
  return n > 0 ? take (self, buffer, count) : n;
}

static gssize
read_fn (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  return read_any (CAB_READ_AHEAD_STREAM (stream), buffer, count, TRUE, cancellable, error);
}

static gssize
read_nonblocking (GPollableInputStream *stream, void *buffer, gsize count, GError **error)
{
  return read_any (CAB_READ_AHEAD_STREAM (stream), buffer, count, FALSE, NULL, error);
}

static gboolean
can_poll (GPollableInputStream *stream)
{
  CabReadAheadStream *self = CAB_READ_AHEAD_STREAM (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
is_readable (GPollableInputStream *stream)
{
  CabReadAheadStream *self = CAB_READ_AHEAD_STREAM (stream);

  return self->start < self->end || g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  CabReadAheadStream *self = CAB_READ_AHEAD_STREAM (stream);
  g_autoptr(GSource) base = NULL;

  /* Bytes in the buffer: ready now, whatever the socket says. */
  if (self->start < self->end)
    base = g_timeout_source_new (0);
  else
    base = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  return g_pollable_source_new_full (stream, base, cancellable);
}

static void
pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = can_poll;
  iface->is_readable = is_readable;
  iface->create_source = create_source;
  iface->read_nonblocking = read_nonblocking;
}

static gboolean
close_fn (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
cab_read_ahead_stream_finalize (GObject *object)
{
  CabReadAheadStream *self = CAB_READ_AHEAD_STREAM (object);

  g_clear_object (&self->base);
  g_free (self->buffer);
  G_OBJECT_CLASS (cab_read_ahead_stream_parent_class)->finalize (object);
}

static void
cab_read_ahead_stream_class_init (CabReadAheadStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_read_ahead_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = read_fn;
  G_INPUT_STREAM_CLASS (klass)->close_fn = close_fn;
}

static void
cab_read_ahead_stream_init (CabReadAheadStream *self)
{
}

GInputStream *
cab_read_ahead_stream_new (GInputStream *base,
                           gsize         size)
{
  CabReadAheadStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base), NULL);
  g_return_val_if_fail (size > 0, NULL);
  self = g_object_new (CAB_TYPE_READ_AHEAD_STREAM, NULL);
  self->base = g_object_ref (base);
  self->size = size;
  self->buffer = g_malloc (size);
  return G_INPUT_STREAM (self);
}
