"""`reception hotline`: run the IVR on the SIP line or a local headset; install a model."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import threading

from desk.config import Settings

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("hotline", help="run the hotline IVR (SIP line or --local headset)")
    p.add_argument(
        "--local", action="store_true", help="use the local audio device (headset) instead of SIP"
    )
    p.add_argument(
        "--port", type=int, default=0, help="SIP UDP port (overrides [hotline] sip_port)"
    )
    p.add_argument("--no-dialer", action="store_true", help="do not place outbound calls")
    p.add_argument("--workers", type=int, default=0,
                   help="SIP worker processes (3 callers each) behind kamailio on sip_port "
                        "(worker k on worker_port + 10*k); without kamailio on sip_port + 10*k")  # fmt: skip
    p.add_argument("--rtp-port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument(
        "--render-prompts", action="store_true", help="render every prompt into the cache and exit"
    )
    p.add_argument(
        "--install-model", metavar="ARCHIVE_OR_URL", help="install a Vosk model into the data dir"
    )
    p.add_argument(
        "--sha256", default="", help="SHA-256 of the model archive (required with --install-model)"
    )
    from voice.workers import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_hotline)


def status_lines(settings: Settings) -> list[str]:
    """Lines for `reception status`: ASR model present or keys only."""
    from speech.asr import find_model

    h = settings.hotline
    model = find_model(h.vosk_model_dir, settings.store.data_dir)
    asr = f"语音识别模型 {model.name}" if model else "未安装语音识别模型，热线仅支持按键"
    return [f"热线: sip:{h.sip_user}@{h.sip_public or h.sip_bind}:{h.sip_port}；{asr}"]


def cmd_hotline(args: argparse.Namespace, settings: Settings) -> int:
    from desk.service import Desk

    if args.install_model:
        from voice.models import ModelInstallError, install_model

        try:
            path = install_model(args.install_model, settings.store.data_dir, args.sha256)
        except (ModelInstallError, OSError) as exc:
            print(f"模型安装失败: {exc}")
            return 1
        print(f"模型已安装: {path}")
        return 0
    if getattr(args, "kamailio_config", None):
        from voice.workers import write_kamailio_config

        path = write_kamailio_config(
            settings, args.workers or settings.hotline.workers, args.kamailio_config
        )
        print(f"kamailio 配置已写入: {path}")
        return 0
    if args.port or args.rtp_port:
        h = settings.hotline
        settings = dataclasses.replace(
            settings,
            hotline=dataclasses.replace(
                h, sip_port=args.port or h.sip_port, rtp_port=args.rtp_port or h.rtp_port
            ),
        )
    if settings.hotline.nice:
        try:
            os.nice(settings.hotline.nice)
        except PermissionError:
            log.warning(
                "cannot change priority by %d: running at normal priority", settings.hotline.nice
            )
    desk = Desk.open(settings)
    try:
        from voice.hotline import Hotline, load_resources

        resources = load_resources(settings, desk)
        print(resources.asr_note)
        if args.render_prompts:
            print("提示音已全部生成")
            return 0
        if args.local:
            from voice.local import LocalAudioUnavailable, LocalLine

            line = LocalLine(settings.hotline.local_device)
            hotline = Hotline(settings, desk, line, resources)
            try:
                hotline.start(dialer=False)
            except LocalAudioUnavailable as exc:
                print(f"本地音频不可用: {exc}")
                return 2
            print("本地通话已开始：用键盘输入按键 (0-9 * #)，q 挂机")
            line.wait()
            hotline.stop()
            return 0
        from voice import workers as wk
        from voice.hotline import sip_config
        from voice.sip import SipLine, available

        if not available():
            print("pjsua2 未安装，无法启动 SIP 线路 (pip install pjsua2-python)")
            return 2
        h = settings.hotline
        try:
            behind_proxy = getattr(args, "behind_proxy", False)
            n = 1 if behind_proxy else getattr(args, "workers", 0) or h.workers
            front = "none" if behind_proxy else wk.choose_front(h, n, getattr(args, "front", ""))
        except (ValueError, RuntimeError) as exc:
            print(f"热线前端不可用: {exc}")
            return 2
        plan = wk.plan(h, n, front)
        behind = behind_proxy or front != "none"
        own = wk.worker_settings(settings, plan.ports[0], h.rtp_port, behind)
        line = SipLine(sip_config(own.hotline))
        hotline = Hotline(own, desk, line, resources)
        hotline.start(dialer=not args.no_dialer)
        children = [wk.spawn(settings, port, h.rtp_port + 2000 * k, behind)
                    for k, port in enumerate(plan.ports) if k]  # fmt: skip
        proxy = None
        if front == "kamailio":
            from voice.kamailio import Kamailio

            proxy = Kamailio(wk.front_config(settings, plan), settings.store.data_dir / "kamailio")
            try:
                proxy.start()
            except RuntimeError as exc:
                print(f"kamailio 启动失败: {exc}")
                hotline.stop()
                for child in children:
                    child.terminate()
                return 2
        if getattr(args, "softphone", None):
            print("\n".join(wk.softphone_lines(h, args.softphone)), flush=True)
        where = f"sip:{h.sip_user}@{h.sip_public or h.sip_bind}"
        if behind_proxy:
            print(f"热线工作进程已启动 (kamailio 之后): 端口 {plan.ports[0]}", flush=True)
        elif front == "none":
            print(f"热线已启动: {where} 端口 {list(plan.ports)} (Ctrl-C 退出)", flush=True)
        else:
            how = "kamailio" if front == "kamailio" else "外部 kamailio 服务"
            print(f"热线已启动: {where}:{h.sip_port} (经 {how}) -> 工作进程端口 {list(plan.ports)} (Ctrl-C 退出)",
                  flush=True)  # fmt: skip
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        hotline.stop()
        if proxy is not None:
            proxy.stop()
        for child in children:
            child.terminate()
            child.wait(10)
        return 0
    finally:
        desk.close()


def checks(settings: Settings) -> list:
    """Lines of `reception check` (SIP line, outbound route, speech model); imported only when checking."""
    from voice.golive import checks as voice_checks

    return voice_checks(settings)
