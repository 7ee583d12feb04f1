"""Settings of the hotline IVR (owned by the voice package)."""

from __future__ import annotations

from dataclasses import dataclass, field

from desk.dialplan import DialPlan


@dataclass(frozen=True)
class HotlineSettings:
    sip_bind: str = "127.0.0.1"
    """Address the SIP endpoint binds to (use the LAN address the FXO gateway reaches)."""
    sip_public: str = ""
    """Address advertised in Contact/SDP; empty means sip_bind."""
    sip_port: int = 5080
    """SIP UDP port for inbound calls (point the FXO gateway or trunk here)."""
    sip_user: str = "ivr"
    """SIP user part the hotline answers as."""
    allowed_sources: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    """CIDR networks whose INVITEs are answered (the FXO gateway's or trunk's addresses);
    the host of ``outbound_uri`` (the gateway) is always added. Others get 403 Forbidden
    and a masked log line."""
    sip_proxies: tuple[str, ...] = ()
    """Front proxies (kamailio) trusted to name the real source in X-Reception-Source;
    `reception hotline --workers N` behind kamailio sets loopback here itself."""
    max_pending_per_source: int = 2
    """Answered calls from one source still waiting for the caller's ACK; more get 486."""
    ack_timeout_s: float = 4.0
    """An answered INVITE never acknowledged within this time is dropped (a real caller
    ACKs within milliseconds): junk never holds a line nor reaches the callback list."""
    sip_auth_user: str = ""
    """Optional SIP digest: the user the gateway/trunk authenticates as (empty: none)."""
    sip_auth_realm: str = "reception"
    sip_auth_ha1: str = ""
    """MD5 of "user:realm:password" in hex (`python -m voice.sipguard USER REALM` prints it);
    the password itself is not stored."""
    front: str = "auto"
    """What answers on sip_bind:sip_port: "kamailio" (started by `reception hotline`, its
    dispatcher spreads calls over the workers), "external" (kamailio runs as its own service,
    deploy/systemd/reception-kamailio.service), "none" (the hotline itself; worker k on
    sip_port + 10*k), "auto" (kamailio when installed, else none)."""
    workers: int = 1
    """Hotline worker processes (`reception hotline --workers N` overrides): the pjsua2
    wheel holds 4 calls a process, each worker serves max_calls callers."""
    remote_workers: tuple[str, ...] = ()
    """Hotline workers on other machines ("host:port"), dispatched by kamailio besides the
    local ones (run there: `reception hotline --front external`, with this kamailio's
    address in their sip_proxies)."""
    worker_port: int = 5100
    """First worker port behind kamailio: worker k listens on worker_port + 10*k
    (on sip_bind; the outbound account of worker 0 uses worker_port + 2)."""
    rtp_port: int = 40000
    """First RTP port; inbound calls use rtp_port.., outbound rtp_port+1000.."""
    out_user: str = "out"
    """User of the separate outbound account (the duty hotline itself only receives, T5)."""
    out_port: int = 0
    """UDP port of the outbound account; 0 means sip_port + 2."""
    outbound_uri: str = "sip:{number}@127.0.0.1:5060"
    """Where outbound calls go: {number} is the number dialled (gateway FXS/trunk URI)."""
    dialplan: DialPlan = field(default_factory=DialPlan)
    """Which numbers outbound calls may go to ([hotline.dialplan], desk/dialplan.py)."""
    operator_uri: str = ""
    """SIP URI of the staffed desk phone for transfers (人工); empty: voicemail + callback."""
    duty_uri: str = ""
    """SIP URI of the duty phone (night guard / engineer on duty, e.g. a mobile through the
    gateway: "sip:13800138000@<gateway-ip>:5060") that takes emergency callers at any hour
    (E1); empty: the desk phone in staffed hours, else a recorded message for the duty
    staff, who are alerted at once."""
    transfer_answer_s: float = 20.0
    """Seconds the desk or duty phone may ring on a transfer; not answered by then, the
    caller comes back to a message and the callback list (T3). A transfer counts only
    once the phone answered."""
    max_calls: int = 3
    """Inbound calls served at once per process; the next one hears 线路繁忙 and is put on
    the callback list (T3). The pjsua2 wheel holds 4 calls a process (one is kept for the
    dialer): use `reception hotline --workers N` for more."""
    vosk_model_dir: str = ""
    """Directory of a Vosk model; empty means the data dir's models/ or keys only."""
    vosk_model_sha256: str = ""
    """SHA-256 of the model archive installed (deploy/install.sh --model-sha256), checked
    by `reception check` against the sum recorded at install."""
    asr_min_margin: float = 1.0
    """Minimum confidence margin of the best word over the next before it counts."""
    tts_voice: str = "cmn-latn-pinyin"
    """espeak-ng voice for prompts (Mandarin). espeak-ng 1.51's plain `cmn` reads the
    pinyin of its own dictionary as English: `cmn-latn-pinyin` is the one that speaks
    Chinese (on older espeak-ng without it, `cmn` is used)."""
    tts_voice_en: str = "en"
    """espeak-ng voice for the English half of the bilingual prompts (T4)."""
    tts_rate: int = 150
    """Speaking rate in words per minute."""
    tts_engine: str = "auto"
    """auto (pyttsx3, then espeak-ng -w), pyttsx3 or espeak."""
    prompts_dir: str = ""
    """Directory with prompts.toml and menus.toml; empty: assets/prompts of the
    install (package data)."""
    digit_timeout_s: float = 6.0
    """Seconds to wait for keys after a prompt."""
    record_max_s: float = 60.0
    """Longest recorded repair description or complaint."""
    voicemail_max_s: float = 90.0
    """Longest voicemail."""
    goodbye_wait_s: float = 3.0
    """After 再见, seconds to let the caller hang up first (T5)."""
    host_calls: bool = True
    """Call the host when a visitor waits at the kiosk (V2)."""
    follow_up_calls: bool = True
    """Place follow-up calls for done work orders and handled complaints (R5, C4)."""
    outbound_poll_s: float = 15.0
    """How often the dialer looks for calls to place."""
    outbound_attempts: int = 3
    """Attempts per follow-up before giving up for the day."""
    outbound_retry_minutes: int = 30
    """Minutes between attempts to the same number."""
    ring_timeout_s: float = 30.0
    """Seconds an outbound call may ring before it counts as not answered."""
    nice: int = 0
    """Nice increment for the hotline processes (-10 keeps RTP on time on a busy 2-core
    box; needs root or CAP_SYS_NICE; systemd `Nice=-10` does the same)."""
    local_device: str = ""
    """sounddevice input/output device for `reception hotline --local` (empty: default)."""
