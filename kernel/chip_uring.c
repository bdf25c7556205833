// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * io_uring passthrough: DRM_CHIP_URING_RUN carries a run request in the
 * submission entry (a pointer to struct drm_chip_uring_run) and completes
 * with the run's status in the completion entry.
 *
 * Life of a command:
 *
 *  issue	chip_uring_cmd() checks the opcode and the command area,
 *		copies the request and hands it to chip_run_submit(), the
 *		same validation as the RUN ioctl.  A malformed or invalid
 *		request completes at once with -errno.  A queued run keeps
 *		the command in run->ucmd and the run in the command's pdu.
 *		A short DRM_CHIP_RUN_INLINE run on an idle device executes
 *		right there and completes before the issue returns.
 *		io_uring first issues a command with IO_URING_F_NONBLOCK
 *		(from io_uring_enter()); wherever the issue would then
 *		block (a user page not present, a contended mutex, an
 *		allocation that may sleep, executing a run inline) it
 *		returns -EAGAIN with nothing done, and io_uring issues it
 *		again from an io-wq worker, where it may block.
 *  done	whoever ends the run (the device's completion, the CANCEL ioctl,
 *		io_uring's cancel callback) first claims it under run_lock:
 *		exactly one path completes a command.  The device and the
 *		CANCEL ioctl do not run in the submitting task, so they
 *		queue task work; chip_uring_finish() then runs in that task,
 *		writes the store-to-host copies and the result record, frees
 *		the run and posts the completion.
 *  cancel	on ring teardown or task exit io_uring calls us with
 *		IO_URING_F_CANCEL (kernels that have it): a queued run is
 *		taken off the device queue and completed as cancelled at
 *		once; a running one is told to stop and completes as above.
 *		Without cancelable commands (6.1) io_uring only waits for
 *		the command, so the device watches the ring's task instead
 *		(not the issuing one, which may be an io-wq worker): a run
 *		whose owner is exiting is cancelled before it starts or
 *		stopped while it runs (chip_job.c).
 *
 * io_uring holds a reference to the file while a command is in flight,
 * so the file (and the run's chip_file) outlives every command on it.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include "chip_drv.h"
#include "compat/compat.h"

struct chip_uring_pdu {
	struct chip_run *run;
	/* The request's result record: after its run, whatever its size. */
	struct drm_chip_run_result __user *result;
};

static struct chip_uring_pdu *chip_uring_pdu(struct io_uring_cmd *cmd)
{
	BUILD_BUG_ON(sizeof(struct chip_uring_pdu) > sizeof(cmd->pdu));
	return (struct chip_uring_pdu *)cmd->pdu;
}

/*
 * True if the caller is to complete the command: exactly one of the paths
 * that end a run (retirement, cancel, io_uring's cancel) claims it.
 */
bool chip_uring_claim(struct chip_run *run)
{
	lockdep_assert_held(&run->file->cdev->run_lock);
	if (run->uring_claimed)
		return false;
	run->uring_claimed = true;
	return true;
}

/*
 * In the submitting task (or its fallback when @dead): from task work, or
 * from the issue itself for a run executed inline.
 */
void chip_uring_finish(struct io_uring_cmd *cmd, unsigned int issue_flags,
		       bool dead)
{
	struct chip_uring_pdu *pdu = chip_uring_pdu(cmd);
	struct chip_run *run = pdu->run;
	int res = run->res.status;
	u64 seq = run->seq;
	bool cqe32 = run->uring_cqe32;

	/* Only the path that claimed the run completes it. */
	WARN_ON_ONCE(!run->uring_claimed);
	/* DRM_CHIP_RUN_NO_RESULT: the completion entry's status only. */
	if (!dead && !run->no_result) {
		struct drm_chip_run_result r = { .seq = run->seq };

		CHIPC_RESULT_COPY(&r, &run->res);
		if (chip_run_copy_stores(run) ||
		    chip_run_copy_timeline(run) ||
		    copy_to_user(pdu->result, &r, sizeof(r)))
			res = -EFAULT;
	}
	/* Free first: posting the completion may drop the last file ref. */
	chip_run_unlink_free(run);
	chip_compat_uring_done(cmd, res, seq, cqe32, issue_flags);
}

CHIP_URING_TW(chip_uring_tw, chip_uring_finish)

/* The run is DONE and claimed by the caller. */
void chip_uring_complete(struct chip_run *run)
{
	io_uring_cmd_complete_in_task(run->ucmd, chip_uring_tw);
}

/*
 * Before the run becomes visible to the device.  A run that executes in
 * the issue itself is not @cancelable: it completes before the issue
 * returns.
 */
void chip_uring_bind(struct chip_run *run, struct io_uring_cmd *cmd,
		     unsigned int issue_flags, bool cancelable)
{
	struct task_struct *owner = chip_compat_uring_task(cmd);

	chip_uring_pdu(cmd)->run = run;
	run->ucmd = cmd;
	run->owner = owner ? get_task_struct(owner) : NULL;
	run->uring_cqe32 = issue_flags & IO_URING_F_CQE32;
	if (cancelable)
		chip_compat_uring_cancelable(cmd, issue_flags);
}

/*
 * May the issue of @cmd not block (IO_URING_F_NONBLOCK)?  Then the
 * submission path returns -EAGAIN where it would, and io_uring issues
 * the command again from io-wq.
 */
bool chip_uring_nowait(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return cmd && (issue_flags & IO_URING_F_NONBLOCK);
}

/*
 * Is the task whose ring carries @run exiting (or being killed)?  Its
 * completion could not be delivered to it anyway.
 */
bool chip_uring_owner_gone(const struct chip_run *run)
{
	struct task_struct *t = run->owner;

	return t && ((READ_ONCE(t->flags) & PF_EXITING) ||
		     fatal_signal_pending(t));
}

/*
 * Must the device watch the owner of @run?  Only where io_uring cannot
 * tell us (no cancelable commands): there, nothing reaches the driver
 * when the submitting task dies or its ring is torn down; io_uring's
 * exit work waits for the command, holding the file, so the release
 * that cancels a file's runs does not happen either.  A killed client
 * would keep the single device queue busy until each of its runs hit
 * its watchdog (tens of seconds), stalling every other client.
 */
bool chip_uring_watch_owner(const struct chip_run *run)
{
	return run->owner && !CHIP_URING_F_CANCEL;
}

/* IO_URING_F_CANCEL: may be called more than once for one command. */
static int chip_uring_cancel(struct io_uring_cmd *cmd,
			     unsigned int issue_flags)
{
	struct chip_run *run = chip_uring_pdu(cmd)->run;
	struct chip_file *f = run->file;
	struct chip_device *cdev = f->cdev;
	bool complete = false;

	spin_lock(&cdev->run_lock);
	if (!run->uring_claimed) {
		/* Not on the queue yet (still being issued): stop it there. */
		if (run->state == CHIP_RUN_QUEUED &&
		    !list_empty(&run->qnode)) {
			chip_run_dequeue_locked(run);
			run->state = CHIP_RUN_DONE;
			run->res.status = CHIP_STATUS_CANCELLED;
			strscpy(run->res.msg, "cancelled", sizeof(run->res.msg));
			f->runs_by_status[CHIP_STATUS_CANCELLED]++;
			complete = chip_uring_claim(run);
		} else if (run->state != CHIP_RUN_DONE) {
			WRITE_ONCE(run->abort, 1);
		}
	}
	spin_unlock(&cdev->run_lock);
	if (complete) {
		/* Maybe not the submitting task: no copies to user memory. */
		u64 seq = run->seq;
		bool cqe32 = run->uring_cqe32;

		chip_run_unlink_free(run);
		chip_compat_uring_done(cmd, CHIP_STATUS_CANCELLED, seq, cqe32,
				       issue_flags);
	}
	return 0;
}

/*
 * @size: bytes of the request's struct drm_chip_run: sizeof() or, for
 * DRM_CHIP_URING_RUN_V1, DRM_CHIP_RUN_SIZE_V1 (the rest reads as zero: no
 * loads), or DRM_CHIP_URING_RUN_V2, DRM_CHIP_RUN_SIZE_V2 (no syncs, no
 * timeline); its result record follows it.
 */
static int chip_uring_run(struct chip_file *f, struct io_uring_cmd *cmd,
			  u64 ptr, size_t size, unsigned int issue_flags)
{
	struct drm_chip_uring_run __user *uptr = u64_to_user_ptr(ptr);
	struct drm_chip_run args = { 0 };
	u64 seq;
	int ret;

	BUILD_BUG_ON(DRM_CHIP_RUN_SIZE_V1 !=
		     offsetof(struct drm_chip_run, loads_ptr));
	BUILD_BUG_ON(DRM_CHIP_RUN_SIZE_V2 !=
		     offsetof(struct drm_chip_run, in_syncs_ptr));
	BUILD_BUG_ON(offsetof(struct drm_chip_uring_run, result) !=
		     sizeof(struct drm_chip_run));
	/* One copy: the request cannot change under validation. */
	if (chip_uring_nowait(cmd, issue_flags)) {
		if (copy_from_user_nofault(&args, &uptr->run, size))
			return -EAGAIN;
		/*
		 * The seq is written back once the run is queued, when the
		 * issue can no longer fail: make sure now that the write
		 * will not fault (a valid request has a zero seq).
		 */
		if (!args.seq &&
		    copy_to_user_nofault(&uptr->run.seq, &args.seq,
					 sizeof(args.seq)))
			return -EAGAIN;
	} else if (copy_from_user(&args, &uptr->run, size)) {
		return -EFAULT;
	}
	chip_uring_pdu(cmd)->result = (void __user *)uptr + size;
	ret = chip_run_submit(f, &args, cmd, issue_flags, &seq);
	if (ret < 0)
		return ret;
	/*
	 * The run is queued or done; a failed write-back cannot fail the
	 * command any more, the seq is also in the result record and the
	 * CQE.
	 */
	if (chip_uring_nowait(cmd, issue_flags) ?
	    copy_to_user_nofault(&uptr->run.seq, &seq, sizeof(seq)) :
	    put_user(seq, &uptr->run.seq))
		pr_debug("uring run %llu: seq not written back\n", seq);
	if (ret)	/* executed inline: complete it now, in this task */
		chip_uring_finish(cmd, issue_flags, false);
	return -EIOCBQUEUED;
}

int chip_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct drm_file *file = cmd->file->private_data;
	const struct drm_chip_uring_cmd *pl;
	u32 op, flags, pad;
	u64 ptr;

	if (issue_flags & CHIP_URING_F_CANCEL)
		return chip_uring_cancel(cmd, issue_flags);

	op = READ_ONCE(cmd->cmd_op);
	if (_IOC_TYPE(op) != DRM_IOCTL_BASE ||
	    _IOC_DIR(op) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	if (_IOC_NR(op) != DRM_CHIP_COMMAND_BASE + DRM_CHIP_URING_RUN_NR &&
	    _IOC_NR(op) != DRM_CHIP_COMMAND_BASE + DRM_CHIP_URING_NOP_NR)
		return -ENOTTY;
	if (op != DRM_CHIP_URING_RUN && op != DRM_CHIP_URING_RUN_V1 &&
	    op != DRM_CHIP_URING_RUN_V2 && op != DRM_CHIP_URING_NOP)
		return -EINVAL;	/* known number, wrong size */
	if (!file || !file->driver_priv)
		return -EBADF;

	/* The command area may be shared with userspace: read it once. */
	pl = chip_compat_uring_payload(cmd);
	ptr = READ_ONCE(pl->ptr);
	flags = READ_ONCE(pl->flags);
	pad = READ_ONCE(pl->pad);
	if (flags || pad)
		return -EINVAL;
	if (issue_flags & IO_URING_F_SQE128) {
		const u8 *rest = (const u8 *)(pl + 1);
		unsigned int i;

		/* 80-byte command area: the tail is reserved. */
		for (i = 0; i < 80 - sizeof(*pl); i++)
			if (READ_ONCE(rest[i]))
				return -EINVAL;
	}

	if (op == DRM_CHIP_URING_NOP)
		return ptr ? -EINVAL : 0;
	return chip_uring_run(chip_file_of(file), cmd, ptr,
			      op == DRM_CHIP_URING_RUN_V1 ? DRM_CHIP_RUN_SIZE_V1 :
			      op == DRM_CHIP_URING_RUN_V2 ? DRM_CHIP_RUN_SIZE_V2 :
			      sizeof(struct drm_chip_run),
			      issue_flags);
}
