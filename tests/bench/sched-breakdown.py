#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the main thread of bench-inbox-page spent a recording's time.

Lines a system-wide scheduler trace up with the bench's frames
(CABINET_BENCH_TRACE=1 prints each interval over 33.3 ms and the
recording's CLOCK_MONOTONIC bounds) and says, for the late intervals and for
the whole last recording (part (d), the drain):

  - the main thread running, runnable but not run (and why: preempted, or
    just woken), or asleep (and on what: poll or futex, and what woke it:
    the frame clock's timer, the X server's reply, another thread);
  - what the two CPUs ran while the main thread was runnable (APP: this
    process's threads; prioNNN: a nice other than 0, 130 = nice 10);
  - each futex wait of the main thread (a lock another thread held).

Record it as root while part (d) runs (docs/architecture.md, "Sending
threads", says what it found):

  perf record -k CLOCK_MONOTONIC -e sched:sched_switch -e sched:sched_wakeup \\
      -g -a -o drain.perf -- sleep 40
  perf script -i drain.perf -F comm,pid,tid,cpu,time,event,trace,ip,sym > drain.txt
  tests/bench/sched-breakdown.py drain.txt bench.log

A figure tool, never a test: it prints, it does not judge.
"""

import bisect
import collections
import re
import sys

HEADER = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s+(.*)$')
SWITCH = re.compile(r'prev_comm=(.*?) prev_pid=(\d+) prev_prio=(\d+) prev_state=(\S+) ==> '
                    r'next_comm=(.*?) next_pid=(\d+) next_prio=(\d+)')
WAKEUP = re.compile(r'comm=(.*?) pid=(\d+) prio=(\d+)')


def read_log(path):
    """The last recording's bounds and its intervals over 33.3 ms."""
    windows, intervals = [], []
    for line in open(path, errors='replace'):
        m = re.search(r'interval ([\d.]+) ms at ([\d.]+) s: run delay', line)
        if m:
            end = float(m.group(2))
            intervals.append((end - float(m.group(1)) / 1000, end))
        m = re.search(r'frames recorded from ([\d.]+) s to ([\d.]+) s', line)
        if m:
            windows.append((float(m.group(1)), float(m.group(2))))
    if not windows:
        sys.exit('no "frames recorded" line: run the bench with CABINET_BENCH_TRACE=1')
    window = windows[-1]
    return window, [iv for iv in intervals if window[0] <= iv[1] <= window[1] + 0.001]


def read_trace(path):
    """Events (time, cpu, event, fields, comm, tid, kernel stack) and tid -> pid."""
    events, pid_of, current = [], {}, None
    for line in open(path, errors='replace'):
        m = HEADER.match(line)
        if m:
            comm, pid, tid, cpu, t, event, fields = m.groups()
            pid_of[int(tid)] = int(pid)
            current = (float(t), int(cpu), event, fields, comm, int(tid), [])
            events.append(current)
        elif current is not None and line.strip():
            current[6].append(line.split()[-1])
    return events, pid_of


def sleep_kind(stack):
    s = ' '.join(stack)
    if 'futex' in s:
        return 'futex'
    if 'do_sys_poll' in s or 'do_epoll' in s:
        return 'poll'
    if 'io_schedule' in s or 'bit_wait' in s:
        return 'disk'
    return 'other'


def wake_kind(stack, comm):
    s = ' '.join(stack)
    if 'hrtimer_wakeup' in s:
        return 'the timer'
    if 'unix_stream' in s or 'sock_def_readable' in s:
        return 'a reply from ' + ('the X server' if comm == 'Xvfb' or comm == 'Xorg' else comm)
    if 'futex' in s:
        return 'a futex wake'
    if 'eventfd' in s:
        return 'an eventfd (a thread woke the main loop)'
    return 'other'


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    window, late = read_log(sys.argv[2])
    events, pid_of = read_trace(sys.argv[1])

    # The bench's main thread: its pid, the busiest such thread in the window.
    busy = collections.Counter()
    for t, cpu, event, fields, comm, tid, stack in events:
        if event == 'sched:sched_switch' and window[0] <= t <= window[1]:
            m = SWITCH.match(fields)
            prev = int(m.group(2))
            if m.group(1).startswith('bench-inbox') and pid_of.get(prev) == prev:
                busy[prev] += 1
    if not busy:
        sys.exit('the bench does not run in the trace\'s window: was perf recording during part (d)?')
    main_tid = busy.most_common(1)[0][0]
    print('recording %.3f-%.3f s (%.1f s), main thread %d, %d intervals over 33.3 ms'
          % (window[0], window[1], window[1] - window[0], main_tid, len(late)))

    def label(comm, tid, prio):
        name = re.sub(r'/\d+$', '', comm)
        return ('APP:' if pid_of.get(tid) == main_tid else '') + name + ('' if prio == 120 else ' prio%d' % prio)

    # What each CPU ran, and the main thread's states with their causes.
    on_cpu, cpu_runs = {}, collections.defaultdict(list)
    states, state, since, cause = [], 'running', None, ''
    futex_waits, waker_prio = [], {}
    for t, cpu, event, fields, comm, tid, stack in events:
        if event == 'sched:sched_switch':
            m = SWITCH.match(fields)
            prev, prev_state, next_comm, nxt, next_prio = int(m.group(2)), m.group(4), m.group(5), int(m.group(6)), int(m.group(7))
            waker_prio[prev] = int(m.group(3))
            if cpu in on_cpu:
                cpu_runs[cpu].append((on_cpu[cpu][0], t) + on_cpu[cpu][1:])
            on_cpu[cpu] = (t, next_comm, nxt, next_prio)
            if prev == main_tid:
                if since is not None:
                    states.append((since, t, state, cause))
                since = t
                if prev_state.startswith('R'):
                    state, cause = 'runnable', 'preempted by ' + ('the X server' if next_comm in ('Xvfb', 'Xorg') else 'another task')
                else:
                    state, cause = 'asleep', sleep_kind(stack)
            elif nxt == main_tid:
                if since is not None:
                    states.append((since, t, state, cause))
                since, state, cause = t, 'running', ''
        elif event == 'sched:sched_wakeup':
            m = WAKEUP.match(fields)
            if int(m.group(2)) == main_tid and state == 'asleep' and since is not None:
                why = wake_kind(stack, comm)
                if cause == 'futex' and window[0] <= since <= window[1]:
                    futex_waits.append((since, t - since, label(comm, tid, waker_prio.get(tid, 120))))
                states.append((since, t, 'asleep', '%s until %s' % (cause, why)))
                since, state, cause = t, 'runnable', 'woken by ' + why
    for runs in cpu_runs.values():
        runs.sort()
    starts = {cpu: [r[0] for r in runs] for cpu, runs in cpu_runs.items()}

    def who_ran(t0, t1, acc):
        for cpu, runs in cpu_runs.items():
            i = max(0, bisect.bisect_right(starts[cpu], t0) - 1)
            while i < len(runs) and runs[i][0] < t1:
                a, b, comm, tid, prio = runs[i]
                overlap = min(b, t1) - max(a, t0)
                if overlap > 0:
                    acc[label(comm, tid, prio)] += overlap
                i += 1

    def breakdown(spans, title):
        total = sum(b - a for a, b in spans)
        acc, ran = collections.Counter(), collections.Counter()
        for a, b in spans:
            for s0, s1, st, why in states:
                overlap = min(s1, b) - max(s0, a)
                if overlap > 0:
                    acc[(st, why)] += overlap
                    if st == 'runnable':
                        who_ran(max(s0, a), min(s1, b), ran)
        print('\n== %s: %.0f ms' % (title, total * 1000))
        for (st, why), v in acc.most_common(12):
            print('  %7.0f ms %5.1f%%  %-9s %s' % (v * 1000, 100 * v / total, st, why))
        ran_total = sum(ran.values()) or 1
        print('  what the CPUs ran while the main thread was runnable:')
        for name, v in ran.most_common(15):
            print('  %7.0f ms %5.1f%%  %s' % (v * 1000, 100 * v / ran_total, name))

    if late:
        breakdown(late, 'the intervals over 33.3 ms')
    breakdown([window], 'the whole recording')
    print('\n== the main thread\'s futex waits (a lock held by another thread): %d, %.1f ms in all'
          % (len(futex_waits), sum(w[1] for w in futex_waits) * 1000))
    for t, length, who in sorted(futex_waits, key=lambda w: -w[1])[:10]:
        print('  %.3f s: %.2f ms, released by %s' % (t, length * 1000, who))


if __name__ == '__main__':
    main()
