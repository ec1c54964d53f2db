#!/bin/sh
# A file system written across flips: ext4 is made on namespace 1 of the
# controller ($NVME_BLK, a scratch image) and mounted; a writer creates
# files of random data (1 to 64 blocks of 4 KiB, each synced to the disk),
# removes every fifth file it wrote three files earlier and syncs the file
# system every tenth file, while the controller is flipped in and out at
# least $RTVIRT_FLIPS_EXT4 times (default 50).  Afterwards the files'
# checksums are taken, the file system is unmounted, e2fsck -fn must find
# it clean, and after a fresh mount, which reads everything from the disk,
# every checksum must match.  The controller ends native, and dmesg has
# no NVMe, block or ext4 error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
want=${RTVIRT_FLIPS_EXT4:-50}
MNT=/tmp/rtvirt-ext4
STOP=/tmp/rtvirt-ext4.stop
nvme_plan 14
dmesg_mark
nvme_load
rm -f $STOP
mkdir -p $MNT
check "mke2fs -t ext4 on $NVME_BLK" mke2fs -q -F -t ext4 "$NVME_BLK"
check "mount $NVME_BLK" mount -t ext4 "$NVME_BLK" $MNT

# writer: until $STOP exists and at least 100 files were written.
writer() {
	w_i=0
	while [ ! -e $STOP ] || [ $w_i -lt 100 ]; do
		w_i=$((w_i + 1))
		dd if=/dev/urandom of=$MNT/f$w_i bs=4096 \
		   count=$((1 + (w_i * 37) % 64)) conv=fsync 2>/dev/null ||
			{ echo "writer: file $w_i failed"; exit 1; }
		[ $((w_i % 5)) -ne 0 ] || rm -f $MNT/f$((w_i - 3))
		[ $((w_i % 10)) -ne 0 ] || sync
	done
	echo "writer: $w_i files written"
}
writer &
writer_pid=$!
nvme_flips "$want"
touch $STOP
wait $writer_pid
writer_rc=$?
if ! nvme_is native 0; then
	nvme_devirtualize || echo "final hand-back failed: $werr"
fi
check "$want flips while the file system is written ($flips done, $flip_errors errors)" \
	[ $flips -ge "$want" -a $flip_errors -eq 0 ]
check "the writer wrote every file (exit $writer_rc)" [ $writer_rc -eq 0 ]
(cd $MNT && sha256sum f* > /tmp/rtvirt-ext4.sums)
nfiles=$(wc -l < /tmp/rtvirt-ext4.sums)
check "umount" umount $MNT
fsck_out=$(e2fsck -fn "$NVME_BLK" 2>&1)
fsck_rc=$?
[ $fsck_rc -eq 0 ] || echo "$fsck_out" | head -n 20
check "e2fsck -fn: clean (exit $fsck_rc)" [ $fsck_rc -eq 0 ]
check "mount again" mount -t ext4 "$NVME_BLK" $MNT
sums_out=$(cd $MNT && sha256sum -c /tmp/rtvirt-ext4.sums 2>&1)
sums_rc=$?
[ $sums_rc -eq 0 ] || echo "$sums_out" | grep -v ': OK$' | head -n 20
check "the $nfiles files read back from the disk with their checksums" [ $sums_rc -eq 0 -a "$nfiles" -ge 80 ]
check "umount" umount $MNT
check "native and not virtualized at the end" nvme_is native 0
errs=$(dmesg_since | grep -E "$NVME_ERRORS|EXT4-fs (error|warning)|JBD2.*error")
[ -z "$errs" ] || echo "$errs" | head -n 20
check "no NVMe, block or ext4 error in dmesg" [ -z "$errs" ]
check "rmmod" unload
finish
