#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-libvirt.sh: libvirt drives the vGPU migration, in the test VM on the
# iommufd kernel (tests/qemu/modern.sh, after vm-modern.sh; docs/modern.rst).
# Two libvirt instances run on this one machine as two hosts: each in its
# own copy of the trixie root (an overlay over the read-only root the
# host shares: its own /etc/libvirt, /run, /var), its own UTS namespace
# (host names lv-src, lv-dst) and its own host_uuid, so that libvirt does
# not refuse the migration as one to the same host (checked first: with
# one identity it must refuse).  On each "host" mdevctl defines and starts
# a large vGPU, `virsh define` takes a domain XML with that vGPU as an mdev
# <hostdev>, and `virsh migrate --live` moves the running guest payload
# from lv-src to lv-dst; the guest's checks must keep passing there.
# Prints TAP and one LIBVIRT-RESULT line per migration: libvirt's job
# statistics (virsh domjobinfo --completed --rawstats) beside what QEMU's
# own trace says (tests/qemu/qemu-trace.sh).
#
# Paths (LPATHS, default "legacy-dmalog iommufd-dmalog"): the legacy
# container, and iommufd (<iommufd enabled='yes'/> where libvirt takes it
# for an mdev, else QEMU's own options through <qemu:commandline>).
# Environment: TROOT (the trixie root as the VM sees it), PAYLOAD (host
# path), VM_MIGRATE (vm-migrate.sh as the VM sees it).
LPATHS=${LPATHS:-legacy-dmalog iommufd-dmalog}
VM_MIGRATE=${VM_MIGRATE:-$(dirname "$0")/vm-migrate.sh}
VM_MIGRATE_HELPERS=1 . "$VM_MIGRATE"
QTRACE=$(dirname "$VM_MIGRATE")/qemu-trace.sh
L=/tmp/lv
SH=$L/share		# in both roots at /tmp/qm: payload, serials, traces, sockets
mkdir -p $SH
cp "/host/${PAYLOAD#/}" $SH/vgpu-guest.elf || exit 1
TRACE=vfio_device_dirty_tracking_start,vfio_get_dirty_bitmap
TRACE=$TRACE,vfio_container_query_dirty_bitmap,iommufd_backend_set_dirty
TRACE=$TRACE,migration_bitmap_sync_start
MIGPORT=49152
SRCIP=10.0.2.1 DSTIP=10.0.2.2
ip addr add $SRCIP/32 dev lo
ip addr add $DSTIP/32 dev lo

# root NAME: the instance's copy of the trixie root, this VM's /proc,
# /sys, /dev bound in, the shared directory at /tmp/qm
root_setup() {
	r=$L/$1
	mkdir -p $r/upper $r/work $r/root
	mount -t overlay overlay \
		-o lowerdir=$TROOT,upperdir=$r/upper,workdir=$r/work $r/root || return 1
	for d in proc sys dev; do mount --bind /$d $r/root/$d; done
	mkdir -p $r/root/tmp/qm $SH/$1
	mount --bind $SH $r/root/tmp/qm
}

# libvirt_conf NAME HOST_UUID ADDRESS: run as root, no cgroups,
# namespaces or security labels (a test VM), the socket in the shared
# directory, incoming migrations on ADDRESS (libvirt refuses a loopback
# address there: each "host" has its own address on lo)
libvirt_conf() {
	e=$L/$1/root/etc/libvirt
	printf '127.0.0.1 localhost\n%s lv-src\n%s lv-dst\n' $SRCIP $DSTIP > $L/$1/root/etc/hosts
	cat > $e/libvirtd.conf <<EOF
host_uuid = "$2"
unix_sock_dir = "/tmp/qm/$1"
log_outputs = "3:file:/tmp/qm/$1/libvirtd.log"
EOF
	cat > $e/qemu.conf <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "$3"
migration_host = "$3"
EOF
}

# libvirt_start NAME HOSTNAME: libvirtd in its own UTS namespace
libvirt_start() {
	chroot $L/$1/root unshare -u /bin/sh -c \
		"hostname $2 && exec /usr/sbin/libvirtd --daemon --pid-file /run/libvirtd.pid"
	i=0
	while [ ! -S $SH/$1/libvirt-sock ] && [ $i -lt 120 ]; do
		sleep 0.5; i=$((i + 1))
	done
	[ -S $SH/$1/libvirt-sock ] && virsh $1 version > /dev/null
}

libvirt_stop() {
	pid=$(cat $L/$1/root/run/libvirtd.pid 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	i=0
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2; i=$((i + 1))
	done
	rm -f $SH/$1/libvirt-sock
}

uri() { echo "qemu+unix:///system?socket=/tmp/qm/$1/libvirt-sock"; }
virsh() {	# NAME ARGS...: virsh in that instance's root, connected to it
	vh=$1
	shift
	chroot $L/$vh/root virsh -q -c "$(uri $vh)" "$@"
}

# domain_xml NAME UUID PATH: the guest: the payload, a serial file, the
# vGPU as an mdev hostdev; QEMU's trace through <qemu:commandline>
domain_xml() {
	iommufd= props=
	case $3 in
	iommufd-*) iommufd="<iommufd enabled='yes'/>" ;;
	legacy-series)	# the type1 series path: no DMA log, migration forced on
		props="x-device-dirty-page-tracking=off enable-migration=on" ;;
	esac
	override=
	for kv in $props; do
		override="$override<qemu:property name='${kv%%=*}' type='string' value='${kv#*=}'/>"
	done
	[ -n "$override" ] && override="<qemu:override><qemu:device alias='hostdev0'><qemu:frontend>$override</qemu:frontend></qemu:device></qemu:override>"
	args=
	for ev in $(echo "$TRACE" | tr ',' ' '); do
		args="$args<qemu:arg value='-trace'/><qemu:arg value='enable=$ev,file=/tmp/qm/$1.trace'/>"
	done
	cat <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>vgpu-guest</name>
  <uuid>5a1b0000-0000-4000-8000-0000000000aa</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  $iommufd
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/tmp/qm/vgpu-guest.elf</kernel>
    <cmdline>$GUEST_ARGS</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='/tmp/qm/$1.serial'/></serial>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci' managed='no'>
      <source><address uuid='$2'/></source>
    </hostdev>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-msg'/><qemu:arg value='timestamp=on'/>$args
  </qemu:commandline>
  $override
</domain>
EOF
}

# jobstat KEY: from domjobinfo --rawstats ("key=value" or "key: value")
jobstat() { sed -n "s/^$1[=:] *\([0-9]*\).*/\1/p" $SH/jobinfo | head -1; }

# mdev NAME UUID: mdevctl on that host defines and starts a large vGPU
mdev_define() {
	chroot $L/$1/root mdevctl define -u $2 -p sample_vgpu -t sample_vgpu-large &&
	chroot $L/$1/root mdevctl start -u $2
}
mdev_undefine() {
	chroot $L/$1/root mdevctl stop -u $2 2>/dev/null
	chroot $L/$1/root mdevctl undefine -u $2 2>/dev/null
	mdev_remove $2
}

migrate_lv() {	# PATH
	lp=$1
	tag="libvirt $lp"
	rm -f $SH/src.* $SH/dst.*
	domain_xml src $U1 $lp > $SH/src.xml
	domain_xml dst $U2 $lp > $SH/dst.xml
	virsh src define /tmp/qm/src.xml > /dev/null && virsh src start vgpu-guest > /dev/null
	tap $? "$tag: virsh define + start on lv-src (mdev hostdev $U1)"
	wait_frame $SH/src.serial $BEFORE $T_BEFORE
	rc=$?
	tap $rc "$tag: guest payload runs on lv-src (frame $BEFORE)"
	[ $rc = 0 ] || { virsh src destroy vgpu-guest; virsh src undefine vgpu-guest; return; }
	# the backend libvirt gave QEMU, from QEMU's own command line: an
	# iommufd object (not the trace events, which are named iommufd_*)
	backend=legacy
	for p in $(pidof qemu-system-x86_64); do
		tr '\0' '\n' < /proc/$p/cmdline > $SH/cmdline
		grep -E 'iommufd|vfio-pci' $SH/cmdline | grep -v '^enable=' | sed 's/^/# QEMU: /'
		grep -qE '"qom-type":"iommufd"|^iommufd,|"iommufd":"' $SH/cmdline && backend=iommufd
	done
	want=legacy
	case $lp in iommufd-*) want=iommufd ;; esac
	[ $backend = $want ]
	tap $? "$tag: QEMU runs with the $want backend (its command line: $backend)"
	virsh src migrate --live --verbose --persistent --undefinesource \
		--xml /tmp/qm/dst.xml --migrateuri tcp://$DSTIP:$MIGPORT \
		vgpu-guest "$(uri dst)" > $SH/migrate.out 2>&1
	rc=$?
	sed 's/^/# /' $SH/migrate.out | tr '\r' '\n' | grep -v '^# *$' | tail -3
	tap $rc "$tag: virsh migrate --live lv-src -> lv-dst"
	if [ $rc != 0 ]; then
		virsh src destroy vgpu-guest; virsh src undefine vgpu-guest
		return
	fi
	st=$(virsh dst domstate vgpu-guest)
	[ "$st" = running ]
	tap $? "$tag: running on lv-dst ($st), gone from lv-src"
	virsh dst domjobinfo --completed --rawstats vgpu-guest > $SH/jobinfo 2>&1
	first=$(grep -a -m1 -o '^frame [0-9]* ok' $SH/dst.serial | cut -d' ' -f2)
	wait_frame $SH/dst.serial $((${first:-0} + AFTER)) $T_AFTER
	tap $? "$tag: destination guest passes its checks to frame $((${first:-0} + AFTER))"
	frames_consecutive $SH/src.serial $SH/dst.serial
	tap $? "$tag: frames and fence seqnos consecutive across the migration"
	v=yes
	grep -aq '^FAIL' $SH/src.serial $SH/dst.serial && v=no
	lvver=$(chroot $L/src/root virsh --version)
	qver=$(chroot $L/src/root /usr/bin/qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
	echo "LIBVIRT-RESULT libvirt=$lvver qemu=$qver path=$lp backend=$backend $(sh "$QTRACE" $SH/src.trace)" \
	     "lv_time_ms=$(jobstat time_elapsed) lv_downtime_ms=$(jobstat downtime)" \
	     "lv_memory_bytes=$(jobstat memory_processed) lv_iterations=$(jobstat memory_iteration)" \
	     "lv_setup_ms=$(jobstat setup_time) lv_dirty_rate=$(jobstat memory_dirty_rate)" \
	     "verified=$v"
	sed 's/^/# domjobinfo: /' $SH/jobinfo
	virsh dst destroy vgpu-guest > /dev/null
	virsh dst undefine vgpu-guest > /dev/null
	pidof qemu-system-x86_64 > /dev/null
	[ $? != 0 ]
	tap $? "$tag: virsh destroy + undefine, no QEMU left"
}

set -- $LPATHS
echo "1..$((4 + 8 * $#))"
vfio-mods patched
for h in src dst; do root_setup $h || { echo "Bail out! overlay over $TROOT"; exit 1; }; done
# one identity first: libvirt must refuse a migration to the same host
libvirt_conf src 5a1b0000-0000-4000-8000-0000000000f1 $SRCIP
libvirt_conf dst 5a1b0000-0000-4000-8000-0000000000f1 $DSTIP
libvirt_start src lv-same && libvirt_start dst lv-same
tap $? "two libvirtd instances started (one identity)"
mdev_define src $U1 && mdev_define dst $U2
tap $? "mdevctl define + start: $U1 on lv-src, $U2 on lv-dst"
domain_xml src $U1 ${LPATHS%% *} > $SH/src.xml
domain_xml dst $U2 ${LPATHS%% *} > $SH/dst.xml
virsh src define /tmp/qm/src.xml > /dev/null && virsh src start vgpu-guest > /dev/null &&
	wait_frame $SH/src.serial 10 $T_BEFORE
virsh src migrate --live --xml /tmp/qm/dst.xml --migrateuri tcp://$DSTIP:$MIGPORT \
	vgpu-guest "$(uri dst)" > $SH/same.out 2>&1
rc=$?
note "same identity: $(tr '\n' ' ' < $SH/same.out)"
[ $rc != 0 ] && grep -q "same host" $SH/same.out
tap $? "libvirt refuses the migration when both instances have one identity"
for h in src dst; do
	virsh $h destroy vgpu-guest > /dev/null 2>&1
	virsh $h undefine vgpu-guest > /dev/null 2>&1
done
libvirt_stop src; libvirt_stop dst
# two hosts: own host names and host UUIDs
libvirt_conf src 5a1b0000-0000-4000-8000-0000000000f1 $SRCIP
libvirt_conf dst 5a1b0000-0000-4000-8000-0000000000f2 $DSTIP
libvirt_start src lv-src && libvirt_start dst lv-dst
tap $? "libvirtd lv-src and lv-dst started (own host names and host UUIDs)"
for lp in $LPATHS; do
	migrate_lv $lp
done
libvirt_stop src; libvirt_stop dst
mdev_undefine src $U1; mdev_undefine dst $U2
vfio-mods unload
note "libvirt: $fails failed"
[ $fails = 0 ]
