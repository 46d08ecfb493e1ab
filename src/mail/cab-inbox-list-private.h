/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-inbox-list.h"

G_BEGIN_DECLS

typedef void (*CabInboxListFunc) (CabInboxList *self,
                                  gpointer      data);

/* Tests: @func is called on the main thread with an answer in hand, just
 * before it is applied (to change the list between the worker's diff and
 * its use). */
void cab_inbox_list_set_before_apply (CabInboxList     *self,
                                      CabInboxListFunc  func,
                                      gpointer          data);

G_END_DECLS
