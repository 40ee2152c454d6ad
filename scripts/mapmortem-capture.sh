#!/bin/sh
# mapmortem-capture.sh: `mapmortem capture` for a host or container with a POSIX sh and the
# usual utilities only (busybox is enough): the same bundle layout (proc/, cgroup/, data-dirs/,
# manifest.json) that `mapmortem scan` reads anywhere later. Needs cat, wc, tr, sed, awk, sort,
# find (for --data-dir) and tar with gzip (for an -o ending in .tar.gz). Reads only; writes only the bundle.
#
#   sh mapmortem-capture.sh --pid PID | --name ERE  [-o DIR|FILE.tar.gz] [--data-dir DIR]...
#
# Differences from `mapmortem capture`: --name is a POSIX extended regular expression (grep -E),
# capturedAt has whole seconds, and files are copied whole (no 256 MiB cut). The manifest says
# it was written by this script (tool.writer). Integrity as capture's: the process's start time
# is read before and after its files; an exit, a reused pid or a maps read cut mid-line marks the
# maps `changed` (integrity.stable false), so scan takes that map count as a lower bound.

set -u

VERSION=0.1.0
ME=mapmortem-capture.sh
PROC=${MAPMORTEM_PROC_ROOT:-/proc}
MAX_LISTING_ENTRIES=2000000
MAX_LISTING_DEPTH=8

usage() {
  cat <<EOF
usage: $ME --pid PID | --name ERE [-o DIR|FILE.tar.gz] [--data-dir DIR]...
  -p, --pid PID        the process to capture
  -n, --name ERE       the process whose command line matches ERE (several matches are listed, not guessed)
  -o, --output PATH    bundle directory, or a .tar.gz file (default: mapmortem-capture-<pid>-<time> here)
  --data-dir DIR       also list a Kafka log dir or TSDB dir (repeatable)
Writes the same bundle as \`mapmortem capture\`; read it anywhere with \`mapmortem scan BUNDLE\`.
EOF
}

die() {
  printf 'mapmortem: %s\n' "$1" >&2
  exit 2
}

warn_file=''
files_tsv=''
dirs_tsv=''
work=''
cleanup() {
  [ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

pid=''
name=''
output=''
data_dirs=''
nl='
'
while [ $# -gt 0 ]; do
  case $1 in
    -p | --pid) [ $# -ge 2 ] || die "$1 needs a value"; pid=$2; shift 2 ;;
    --pid=*) pid=${1#*=}; shift ;;
    -n | --name) [ $# -ge 2 ] || die "$1 needs a value"; name=$2; shift 2 ;;
    --name=*) name=${1#*=}; shift ;;
    -o | --output) [ $# -ge 2 ] || die "$1 needs a value"; output=$2; shift 2 ;;
    --output=*) output=${1#*=}; shift ;;
    --data-dir) [ $# -ge 2 ] || die "$1 needs a value"; data_dirs="$data_dirs$2$nl"; shift 2 ;;
    --data-dir=*) data_dirs="$data_dirs${1#*=}$nl"; shift ;;
    -h | --help) usage; exit 0 ;;
    --version) echo "$VERSION"; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

if { [ -n "$pid" ] && [ -n "$name" ]; } || { [ -z "$pid" ] && [ -z "$name" ]; }; then
  die 'capture needs exactly one of --pid N or --name REGEX'
fi
if [ -n "$pid" ]; then
  case $pid in
    '' | *[!0-9]* | 0 | 0*) die "--pid: expected a positive integer, got '$pid'" ;;
  esac
fi
for tool in cat wc tr sed awk sort; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on this host; $ME needs cat, wc, tr, sed, awk and sort"
done
if [ -n "$name" ]; then
  printf '' | grep -E -e "$name" >/dev/null 2>&1
  [ $? -le 1 ] || die "--name: not a valid extended regular expression ('$name')"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mapmortem-capture.XXXXXX" 2>/dev/null) || {
  work=${TMPDIR:-/tmp}/mapmortem-capture.$$
  mkdir -m 700 "$work" 2>/dev/null || { work=''; die 'cannot create a temporary directory (set TMPDIR to a writable one)'; }
}
warn_file=$work/warnings
files_tsv=$work/files.tsv
dirs_tsv=$work/dirs.tsv
: >"$warn_file"
: >"$files_tsv"
: >"$dirs_tsv"

warn() {
  printf '%s\n' "$1" >>"$warn_file"
}

# JSON string of stdin (all of it, newlines kept as \n), quoted.
json_str() {
  awk 'BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = i; ORS = "" ; printf "\"" }
    {
      if (NR > 1) printf "\\n"
      n = length($0)
      for (i = 1; i <= n; i++) {
        ch = substr($0, i, 1)
        if (ch == "\\") printf "\\\\"
        else if (ch == "\"") printf "\\\""
        else if (ch in ctl) printf "\\u%04x", ctl[ch]
        else printf "%s", ch
      }
    }
    END { printf "\"" }'
}

# The awk function js(s): s as a JSON string, quoted (backslash, quote and control characters
# escaped). Prepended to each awk program that writes a part of the manifest.
JS_AWK='
    BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = i }
    function js(s,   o, i, ch) {
      o = "\""
      for (i = 1; i <= length(s); i++) {
        ch = substr(s, i, 1)
        if (ch == "\\") o = o "\\\\"; else if (ch == "\"") o = o "\\\""; else if (ch in ctl) o = o sprintf("\\u%04x", ctl[ch]); else o = o ch
      }
      return o "\""
    }
'

# A command line as text: NUL separators become spaces, trailing NULs dropped, trimmed.
cmdline_text() {
  { tr '\000' ' ' <"$1"; } 2>/dev/null | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

have_proc=0
if [ -e "$PROC/meminfo" ] || [ -e "$PROC/self" ]; then have_proc=1; fi
if [ $have_proc = 0 ]; then
  warn "$PROC is not readable: the bundle holds only the manifest and the data-dir listings"
fi

if [ -z "$pid" ]; then
  self_cmd=$(cmdline_text "$PROC/$$/cmdline")
  matches=$work/matches
  : >"$matches"
  for d in "$PROC"/[0-9]*; do
    p=${d##*/}
    case $p in *[!0-9]*) continue ;; esac
    [ "$p" = "$$" ] && continue
    c=$(cmdline_text "$d/cmdline")
    # This script's own subshells carry its command line; they are not the process sought.
    [ -z "$c" ] || [ "$c" = "$self_cmd" ] && continue
    if printf '%s\n' "$c" | grep -E -e "$name" >/dev/null 2>&1; then printf '%s\t%s\n' "$p" "$c" >>"$matches"; fi
  done
  count=$(wc -l <"$matches" | tr -d ' ')
  if [ "$count" = 0 ]; then die "no process has a command line matching /$name/"; fi
  if [ "$count" != 1 ]; then
    {
      printf 'mapmortem: %s processes have a command line matching /%s/; choose one with --pid\n' "$count" "$name"
      sort -n "$matches" | awk -F '\t' '{ printf "  %s  %s\n", $1, substr($2, 1, 160) }'
    } >&2
    exit 2
  fi
  pid=$(awk -F '\t' '{ print $1; exit }' "$matches")
fi

stamp=$(date -u +%Y%m%dT%H%M%S)
captured_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
[ -n "$output" ] || output=mapmortem-capture-$pid-$stamp
case $output in /*) ;; *) output=$(pwd)/$output ;; esac
case $output in
  *.tar.gz | *.tgz)
    command -v tar >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1 || die "-o $output: tar or gzip is missing on this host; give a directory instead"
    top=${output##*/}
    top=${top%.tar.gz}
    top=${top%.tgz}
    bundle=$work/out/$top
    ;;
  *) bundle=$output ;;
esac
mkdir -p "$bundle" || die "cannot write the bundle to $output"

# record BUNDLE_PATH SOURCE [MISSING_REASON]: copies SOURCE into the bundle and notes it for the manifest.
record() {
  rec_dest=$bundle/$1
  mkdir -p "${rec_dest%/*}"
  if cat "$2" >"$rec_dest" 2>"$work/err"; then
    rec_bytes=$(wc -c <"$rec_dest" | tr -d ' ')
    printf '%s\t%s\tok\t%s\t\n' "$1" "$2" "$rec_bytes" >>"$files_tsv"
    return 0
  fi
  rm -f "$rec_dest"
  rmdir "${rec_dest%/*}" 2>/dev/null
  rec_err=$(tr '\n' ' ' <"$work/err" | sed 's/[[:space:]]*$//')
  if [ ! -e "$2" ]; then
    rec_reason=${3:-"$2 does not exist (the process has exited, or this kernel or host does not provide it)"}
    printf '%s\t%s\tmissing\t0\t%s\n' "$1" "$2" "$rec_reason" >>"$files_tsv"
  else
    case $rec_err in
      *ermission* | *EACCES* | *EPERM*) rec_reason="$2: permission denied (run as root or as the process's user)" ;;
      *'No such process'*) rec_reason="$2: the process has exited" ;;
      *) rec_reason="$2: ${rec_err:-read failed}" ;;
    esac
    case $rec_err in
      *'No such process'*) printf '%s\t%s\tmissing\t0\t%s\n' "$1" "$2" "$rec_reason" >>"$files_tsv" ;;
      *) printf '%s\t%s\tunreadable\t0\t%s\n' "$1" "$2" "$rec_reason" >>"$files_tsv" ;;
    esac
  fi
  return 1
}

# Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): a recycled pid has another.
# The command name in field 2 may hold spaces and parentheses: the fields start after the last ") ".
start_time() {
  [ -r "$1/stat" ] || return 0
  sed -e 's/.*) //' "$1/stat" 2>/dev/null | awk 'NR == 1 { print $20 }'
}

pid_dir=$PROC/$pid
if [ $have_proc = 1 ] && [ ! -d "$pid_dir" ]; then
  warn "process $pid does not exist (it has exited, or the pid is wrong): the bundle holds the host files only"
fi
start_before=$(start_time "$pid_dir")
for f in maps smaps_rollup status limits cmdline cgroup; do
  record "proc/$pid/$f" "$pid_dir/$f"
done
# Did the process stay the same while its files were read: still there, same start time, maps read to a line end.
start_after=$(start_time "$pid_dir")
: >"$work/integrity"
if [ -n "$start_before" ] && [ -z "$start_after" ]; then
  echo 'the process exited during the capture' >>"$work/integrity"
elif [ -n "$start_before" ] && [ "$start_after" != "$start_before" ]; then
  echo "its start time changed ($start_before → $start_after): the pid was reused by another process" >>"$work/integrity"
fi
if [ -s "$bundle/proc/$pid/maps" ] && [ -n "$(tail -c 1 "$bundle/proc/$pid/maps")" ]; then
  echo 'the maps read ended mid-line (a short read)' >>"$work/integrity"
fi
if [ -s "$work/integrity" ]; then
  integrity_reasons=$(awk 'NR > 1 { printf "; " } { printf "%s", $0 }' "$work/integrity")
  awk -F '\t' -v OFS='\t' -v p="proc/$pid/maps" -v r="$integrity_reasons" '$1 == p && $3 == "ok" { $3 = "changed"; $5 = r } { print }' "$files_tsv" >"$work/files.tmp" &&
    mv "$work/files.tmp" "$files_tsv"
  warn "process $pid changed while it was captured ($integrity_reasons): its map count is a lower bound, not a trusted snapshot"
fi
maps_line=$(awk -F '\t' -v p="proc/$pid/maps" '$1 == p { print $3 "\t" $5 }' "$files_tsv")
case $maps_line in
  unreadable*) [ $have_proc = 1 ] && warn "the maps of process $pid are not readable (${maps_line#*	}); run capture as root or as the process's user" ;;
esac
for f in sys/vm/max_map_count sys/vm/overcommit_memory sys/vm/overcommit_ratio sys/kernel/threads-max sys/kernel/pid_max sys/kernel/osrelease meminfo; do
  record "proc/$f" "$PROC/$f"
done

# The process's cgroup memory and pids files, found through its cgroup file and our mounts.
if [ -f "$bundle/proc/$pid/cgroup" ]; then
  cat "$PROC/self/mountinfo" 2>/dev/null >"$work/mountinfo"
  awk -F '\t' -v cg="$bundle/proc/$pid/cgroup" '
    function unesc(s,   out, m) {
      out = ""
      while (match(s, /\\[0-7][0-7][0-7]/)) {
        m = substr(s, RSTART + 1, 3)
        out = out substr(s, 1, RSTART - 1) sprintf("%c", (substr(m, 1, 1) * 64) + (substr(m, 2, 1) * 8) + substr(m, 3, 1))
        s = substr(s, RSTART + 4)
      }
      return out s
    }
    function locate(root, mp, p) {
      if (root != "/" && (p == root || index(p, root "/") == 1)) p = substr(p, length(root) + 1)
      return (mp == "/" ? "" : mp) p
    }
    {
      sep = index($0, " - ")
      if (sep == 0) next
      nl = split(substr($0, 1, sep - 1), left, " ")
      split(substr($0, sep + 3), right, " ")
      if (right[1] == "cgroup2" && v2mp == "") { v2root = unesc(left[4]); v2mp = unesc(left[5]) }
      else if (right[1] == "cgroup") {
        no = split(right[3], opts, ",")
        for (i = 1; i <= no; i++) if ((opts[i] == "memory" || opts[i] == "pids") && !(opts[i] in v1mp)) {
          v1root[opts[i]] = unesc(left[4]); v1mp[opts[i]] = unesc(left[5])
        }
      }
    }
    END {
      while ((getline line < cg) > 0) {
        if (!match(line, /^[0-9]+:[^:]*:/)) continue
        h = substr(line, 1, index(line, ":") - 1)
        rest = substr(line, index(line, ":") + 1)
        ctl = substr(rest, 1, index(rest, ":") - 1)
        p = substr(rest, index(rest, ":") + 1)
        if (h == "0" && ctl == "") { if (v2mp != "") print "-\t2\t" locate(v2root, v2mp, p); continue }
        nc = split(ctl, cs, ",")
        for (i = 1; i <= nc; i++) if ((cs[i] == "memory" || cs[i] == "pids") && (cs[i] in v1mp)) print cs[i] "\t1\t" locate(v1root[cs[i]], v1mp[cs[i]], p)
      }
    }' "$work/mountinfo" >"$work/cgdirs"
  if [ ! -s "$work/cgdirs" ]; then
    warn 'no memory or pids cgroup of the process was found among the mounted cgroup filesystems'
  fi
  while IFS='	' read -r label version dir; do
    case $version:$label in
      2:*) cg_files='memory.max memory.current memory.peak memory.events memory.swap.max pids.max pids.current'; prefix=cgroup ;;
      1:memory) cg_files='memory.limit_in_bytes memory.usage_in_bytes memory.max_usage_in_bytes memory.failcnt memory.stat'; prefix=cgroup/memory ;;
      1:pids) cg_files='pids.max pids.current'; prefix=cgroup/pids ;;
      *) continue ;;
    esac
    for f in $cg_files; do
      # An absent cgroup file means the controller is not there, not that the process exited.
      record "$prefix/$f" "${dir%/}/$f" "not in $dir (the root cgroup and a controller not enabled there have none)"
    done
  done <"$work/cgdirs"
fi

# Data-dir listings: the root, then every path below it (find, sorted); no symlink is followed.
used_names=' '
printf '%s' "$data_dirs" | while IFS= read -r dd; do
  [ -n "$dd" ] || continue
  case $dd in /*) abs=$dd ;; *) abs=$(pwd)/$dd ;; esac
  abs=$(printf '%s' "$abs" | sed -e 's|/\./|/|g' -e 's|/\.$||' -e 's|//*|/|g' -e 's|\(.\)/$|\1|')
  base=$(printf '%s' "${abs##*/}" | sed 's/[^A-Za-z0-9_.-][^A-Za-z0-9_.-]*/_/g')
  [ -n "$base" ] || base=root
  n=$base
  i=2
  while case $used_names in *" $n "*) true ;; *) false ;; esac; do n=$base-$i; i=$((i + 1)); done
  used_names="$used_names$n "
  rel=data-dirs/$n.find.txt
  mkdir -p "$bundle/data-dirs"
  if ! command -v find >/dev/null 2>&1; then
    printf '%s\t%s\t0\tfalse\tfind is missing on this host\n' "$abs" "$rel" >>"$dirs_tsv"
    warn "data dir $abs could not be listed: find is missing on this host"
    continue
  fi
  find "$abs" -maxdepth $((MAX_LISTING_DEPTH + 1)) 2>"$work/find.err" | LC_ALL=C sort | head -n $((MAX_LISTING_ENTRIES + 1)) >"$bundle/$rel"
  lines=$(wc -l <"$bundle/$rel" | tr -d ' ')
  reason=$(head -n 1 "$work/find.err" | sed 's/^find: //')
  if [ "$lines" -le 1 ] && [ -n "$reason" ]; then
    rm -f "$bundle/$rel"
    printf '%s\t%s\t0\tfalse\t%s\n' "$abs" "$rel" "$reason" >>"$dirs_tsv"
    warn "data dir $abs could not be listed: $reason"
    continue
  fi
  complete=true
  if [ -n "$reason" ]; then complete=false; fi
  if [ "$lines" -gt $MAX_LISTING_ENTRIES ]; then
    complete=false
    [ -n "$reason" ] || reason="stopped after $MAX_LISTING_ENTRIES entries"
  fi
  if [ -n "$(find "$abs" -mindepth $((MAX_LISTING_DEPTH + 1)) -maxdepth $((MAX_LISTING_DEPTH + 1)) -type d 2>/dev/null | head -n 1)" ]; then
    complete=false
    [ -n "$reason" ] || reason="not read below depth $MAX_LISTING_DEPTH"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$abs" "$rel" "$((lines - 1))" "$complete" "$reason" >>"$dirs_tsv"
done

# What the manifest records about the process and the host.
command_line=''
[ -f "$bundle/proc/$pid/cmdline" ] && command_line=$(cmdline_text "$bundle/proc/$pid/cmdline")
uid=''
[ -f "$bundle/proc/$pid/status" ] && uid=$(awk '/^Uid:/ { print $2; exit }' "$bundle/proc/$pid/status")
map_count=''
[ -f "$bundle/proc/$pid/maps" ] && map_count=$(wc -l <"$bundle/proc/$pid/maps" | tr -d ' ')
max_map=''
[ -f "$bundle/proc/sys/vm/max_map_count" ] && max_map=$(tr -d ' \n' <"$bundle/proc/sys/vm/max_map_count")
kernel=''
[ -f "$bundle/proc/sys/kernel/osrelease" ] && kernel=$(tr -d '\n' <"$bundle/proc/sys/kernel/osrelease")
[ -n "$kernel" ] || kernel=$(uname -r)
unreadable=$(awk -F '\t' '$3 == "unreadable"' "$files_tsv" | wc -l | tr -d ' ')
self_uid=$(id -u 2>/dev/null || echo '?')
if [ "$unreadable" -gt 0 ] && [ $have_proc = 1 ] && [ "$self_uid" != 0 ]; then
  warn "$unreadable file(s) were not readable as uid $self_uid; see manifest.json (root reads them all)"
fi

{
  printf '{\n  "schemaVersion": 1,\n'
  printf '  "tool": {\n    "name": "mapmortem",\n    "version": "%s",\n    "writer": "%s"\n  },\n' "$VERSION" "$ME"
  printf '  "capturedAt": "%s",\n' "$captured_at"
  printf '  "hostname": %s,\n' "$(uname -n | json_str)"
  printf '  "platform": "linux",\n'
  printf '  "kernel": %s,\n' "$(printf '%s' "$kernel" | json_str)"
  case $uid in '' | *[!0-9]*) ;; *) printf '  "uid": %s,\n' "$uid" ;; esac
  printf '  "pid": %s,\n' "$pid"
  [ -n "$command_line" ] && printf '  "commandLine": %s,\n' "$(printf '%s' "$command_line" | json_str)"
  case $map_count in '' | *[!0-9]*) ;; *) printf '  "mapCount": %s,\n' "$map_count" ;; esac
  case $max_map in '' | *[!0-9]*) ;; *) printf '  "maxMapCount": %s,\n' "$max_map" ;; esac
  # files, dataDirs and warnings: one awk pass each, escaping every string.
  LC_ALL=C sort -t '	' -k1,1 "$files_tsv" | awk -F '\t' -v kind=files "$JS_AWK"'
    { rows[NR] = "    {\n      \"path\": " js($1) ",\n      \"source\": " js($2) ",\n      \"status\": " js($3) ",\n      \"bytes\": " $4 ($5 == "" ? "" : ",\n      \"reason\": " js($5)) "\n    }" }
    END { printf "  \"files\": ["; for (i = 1; i <= NR; i++) printf "%s\n%s", (i > 1 ? "," : ""), rows[i]; printf "%s],\n", (NR > 0 ? "\n  " : "") }'
  # integrity: stable when no reason was found; its reasons one a line in $work/integrity.
  awk "$JS_AWK"'
    { rows[NR] = "      " js($0) }
    END {
      printf "  \"integrity\": {\n    \"stable\": %s,\n    \"reasons\": [", (NR == 0 ? "true" : "false")
      for (i = 1; i <= NR; i++) printf "%s\n%s", (i > 1 ? "," : ""), rows[i]
      printf "%s]\n  },\n", (NR > 0 ? "\n    " : "")
    }' "$work/integrity"
  awk -F '\t' "$JS_AWK"'
    { rows[NR] = "    {\n      \"dir\": " js($1) ",\n      \"path\": " js($2) ",\n      \"entries\": " $3 ",\n      \"complete\": " $4 ($5 == "" ? "" : ",\n      \"reason\": " js($5)) "\n    }" }
    END { printf "  \"dataDirs\": ["; for (i = 1; i <= NR; i++) printf "%s\n%s", (i > 1 ? "," : ""), rows[i]; printf "%s],\n", (NR > 0 ? "\n  " : "") }' "$dirs_tsv"
  awk "$JS_AWK"'
    { rows[NR] = "    " js($0) }
    END { printf "  \"warnings\": ["; for (i = 1; i <= NR; i++) printf "%s\n%s", (i > 1 ? "," : ""), rows[i]; printf "%s]\n}\n", (NR > 0 ? "\n  " : "") }' "$warn_file"
} >"$bundle/manifest.json"

case $output in
  *.tar.gz | *.tgz)
    mkdir -p "${output%/*}" || die "cannot write the bundle to $output"
    (cd "$work/out" && tar -cf - "$top" | gzip -c) >"$output" || die "cannot write the bundle to $output"
    ;;
esac

while IFS= read -r w; do printf 'mapmortem: capture: %s\n' "$w" >&2; done <"$warn_file"
saved=$(awk -F '\t' '$3 == "ok" || $3 == "truncated"' "$files_tsv" | wc -l | tr -d ' ')
printf 'mapmortem: captured %s files into %s\n' "$saved" "$output" >&2
printf '%s\n' "$output"
