#!/usr/bin/env bash
# Starts throw-away FTP (vsftpd, plain), FTPS (vsftpd, explicit TLS with a
# self-signed certificate) and SFTP (OpenSSH internal-sftp) servers on
# 127.0.0.1 for the Exports.Delivery integration tests. Run as root.
#
# Prints the settings as KEY=VALUE lines and writes them to
# $VELVET_FILE_SERVERS_DIR/servers.env, so CI can do:
#   tests/servers/start-file-servers.sh
#   set -a; . /tmp/velvet-file-servers/servers.env; set +a
#   dotnet test tests/Velvet.Tests
#   tests/servers/stop-file-servers.sh
#
# Overridable: VELVET_FILE_SERVERS_DIR, VELVET_TEST_FTP_PORT,
# VELVET_TEST_FTPS_PORT, VELVET_TEST_SFTP_PORT, VELVET_TEST_FTP_PASSWORD.
set -euo pipefail

state_dir="${VELVET_FILE_SERVERS_DIR:-/tmp/velvet-file-servers}"
user_name="velvetftp"
ftp_port="${VELVET_TEST_FTP_PORT:-22121}"
ftps_port="${VELVET_TEST_FTPS_PORT:-22990}"
sftp_port="${VELVET_TEST_SFTP_PORT:-22222}"
# Two vsftpd processes, so two disjoint passive ranges.
ftp_pasv_min=40110; ftp_pasv_max=40129
ftps_pasv_min=40130; ftps_pasv_max=40149

log() { echo "start-file-servers: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (creates a local user and starts daemons)"; exit 1
fi

# Packages: install only what is missing; refresh the index only if the
# install fails, since the image usually has a usable one.
missing=()
[[ -x /usr/sbin/vsftpd ]] || missing+=(vsftpd)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v openssl >/dev/null || missing+=(openssl)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
fi

# A previous run may still be up: stop it so ports and pid files are ours.
if [[ -d "$state_dir" ]]; then
  VELVET_FILE_SERVERS_DIR="$state_dir" VELVET_KEEP_USER=1 \
    "$(dirname "$0")/stop-file-servers.sh" >&2 || true
fi

port_busy() { ss -ltnH "sport = :$1" | grep -q .; }
for p in "$ftp_port" "$ftps_port" "$sftp_port"; do
  if port_busy "$p"; then log "port $p on this host is already in use"; exit 1; fi
done

install -d -m 755 "$state_dir"
install -d -m 755 -o root "$state_dir/empty"
home="$state_dir/home/$user_name"
install -d -m 755 "$state_dir/home"

# The user: a real shell listed in /etc/shells (vsftpd's PAM stack runs
# pam_shells), a fresh random password per start unless one is given.
password="${VELVET_TEST_FTP_PASSWORD:-$(openssl rand -hex 16)}"
shell=/bin/sh
grep -qx "$shell" /etc/shells || echo "$shell" >>/etc/shells
if id "$user_name" >/dev/null 2>&1; then
  usermod -d "$home" -s "$shell" "$user_name"
else
  useradd -M -d "$home" -s "$shell" "$user_name"
fi
install -d -m 755 -o "$user_name" -g "$user_name" "$home"
echo "$user_name:$password" | chpasswd
if [[ -f /etc/ftpusers ]] && grep -qx "$user_name" /etc/ftpusers; then
  sed -i "/^$user_name\$/d" /etc/ftpusers
fi

# Self-signed certificate for explicit FTPS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -keyout "$state_dir/ftps.key" -out "$state_dir/ftps.pem" 2>/dev/null
chmod 600 "$state_dir/ftps.key"

write_vsftpd_conf() { # file port pasv_min pasv_max tls(YES|NO)
  cat >"$1" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$2
background=NO
seccomp_sandbox=NO
isolate_network=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=NO
userlist_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=$state_dir/empty
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$3
pasv_max_port=$4
xferlog_enable=YES
log_ftp_protocol=YES
vsftpd_log_file=$1.log
ssl_enable=$5
EOF
  if [[ $5 == YES ]]; then
    cat >>"$1" <<EOF
rsa_cert_file=$state_dir/ftps.pem
rsa_private_key_file=$state_dir/ftps.key
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=NO
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=NO
ssl_ciphers=HIGH
EOF
  fi
}
write_vsftpd_conf "$state_dir/vsftpd-ftp.conf" "$ftp_port" $ftp_pasv_min $ftp_pasv_max NO
write_vsftpd_conf "$state_dir/vsftpd-ftps.conf" "$ftps_port" $ftps_pasv_min $ftps_pasv_max YES
# vsftpd refuses config files not owned by root.
chmod 600 "$state_dir"/vsftpd-*.conf

# Debian's vsftpd PAM service file ships with the package; recreate a minimal
# one if it is gone.
if [[ ! -f /etc/pam.d/vsftpd ]]; then
  cat >/etc/pam.d/vsftpd <<'EOF'
auth    required  pam_shells.so
@include common-auth
@include common-account
@include common-session
EOF
fi

# SFTP only, password login only, this user only.
mkdir -p /run/sshd
rm -f "$state_dir/ssh_host_ed25519_key" "$state_dir/ssh_host_ed25519_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$state_dir/ssh_host_ed25519_key"
cat >"$state_dir/sshd.conf" <<EOF
ListenAddress 127.0.0.1
Port $sftp_port
HostKey $state_dir/ssh_host_ed25519_key
PidFile $state_dir/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $user_name
StrictModes no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
EOF

start_daemon() { # name command...
  local name=$1; shift
  setsid "$@" >"$state_dir/$name.out" 2>&1 </dev/null &
  echo $! >"$state_dir/$name.daemon.pid"
}
start_daemon vsftpd-ftp /usr/sbin/vsftpd "$state_dir/vsftpd-ftp.conf"
start_daemon vsftpd-ftps /usr/sbin/vsftpd "$state_dir/vsftpd-ftps.conf"
start_daemon sshd /usr/sbin/sshd -D -e -f "$state_dir/sshd.conf"

for p in "$ftp_port" "$ftps_port" "$sftp_port"; do
  for _ in $(seq 1 100); do port_busy "$p" && break; sleep 0.1; done
  if ! port_busy "$p"; then
    log "nothing listens on $p; logs in $state_dir/*.out"
    tail -n 20 "$state_dir"/*.out >&2 || true
    exit 1
  fi
done

cat >"$state_dir/servers.env" <<EOF
VELVET_TEST_FTP_HOST=127.0.0.1
VELVET_TEST_FTP_PORT=$ftp_port
VELVET_TEST_FTPS_PORT=$ftps_port
VELVET_TEST_SFTP_PORT=$sftp_port
VELVET_TEST_SFTP_HOST_KEY=$(ssh-keygen -l -E sha256 -f "$state_dir/ssh_host_ed25519_key.pub" | awk '{print $2}')
VELVET_TEST_FTP_USER=$user_name
VELVET_TEST_FTP_PASSWORD=$password
VELVET_TEST_FTP_ROOT=$home
EOF
chmod 600 "$state_dir/servers.env"
cat "$state_dir/servers.env"
log "settings written to $state_dir/servers.env"
