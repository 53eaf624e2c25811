"""Every word of the figures and the report, in English and Chinese: ``key -> (English, Chinese)``.

Keys are grouped by prefix: ``metric.``, ``unit.``, ``stage.``, ``fig.``, ``take.`` (figure
titles), ``report.``, ``caption.``, ``lever.``, ``assume.`` and ``source.``. Chinese labels use
the source articles' vocabulary (私域, 包裹卡, 加粉, 首单, 复购, 流失, 裂变, 企业微信).
Look texts up with :func:`sim.report.i18n.t`; nothing else reads this table.
"""

from __future__ import annotations

# key: (English, Chinese)
TEXT: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- metrics
    "metric.members_acquired": ("Members acquired", "新增私域成员"),
    "metric.capture_rate_card": ("Card capture rate", "包裹卡引流召回率"),
    "metric.capture_rate_sms": ("SMS capture rate", "短信引流率"),
    "metric.card_contribution": ("Per-card contribution", "单卡贡献"),
    "metric.first_order_rate": ("First-order rate", "首单率"),
    "metric.cac": ("CAC", "获客成本 CAC"),
    "metric.cost_per_first_order": ("Cost per first order", "单个首单成本"),
    "metric.ltv_12m": ("LTV (12 months)", "12个月 LTV"),
    "metric.incremental_ltv": ("Incremental LTV (12 months)", "12个月增量 LTV"),
    "metric.ltv_horizon": ("LTV (within horizon)", "周期内 LTV"),
    "metric.ltv_to_cac": ("LTV:CAC", "LTV:CAC 比值"),
    "metric.incremental_ltv_to_cac": ("Incremental LTV:CAC", "增量 LTV:CAC 比值"),
    "metric.monthly_churn": ("Monthly churn", "月流失率"),
    "metric.monthly_churn_unsubscribe": ("Monthly churn: unsubscribe", "月流失率（删除/退订）"),
    "metric.monthly_churn_dormancy": ("Monthly churn: dormancy", "月流失率（沉睡）"),
    "metric.payback_day": ("Payback day", "回本天数"),
    "metric.roi": ("ROI", "投资回报率 ROI"),
    "metric.incremental_roi": ("Incremental ROI", "增量投资回报率"),
    "metric.private_gmv": ("Private GMV", "私域 GMV"),
    "metric.private_orders": ("Private orders", "私域订单数"),
    "metric.brand_orders": ("Orders, all channels", "全渠道订单数"),
    "metric.cannibalised_orders": ("Cannibalised orders", "替代平台的订单数"),
    "metric.cannibalisation_rate": ("Cannibalisation rate", "订单替代率"),
    "metric.incremental_margin": ("Incremental order margin", "增量订单毛利"),
    "metric.sms_adds_3h": ("SMS adds within 3 h", "短信 3 小时加好友率"),
    "metric.sms_adds_6h": ("SMS adds within 6 h", "短信 6 小时加好友率"),
    "metric.sms_adds_12h": ("SMS adds within 12 h", "短信 12 小时加好友率"),
    "metric.sms_adds_24h": ("SMS adds within 24 h", "短信 24 小时加好友率"),
    # units of sim.run.metrics.METRICS
    "unit.members": ("members", "人"),
    "unit.share": ("share", "比例"),
    "unit.CNY per card": ("CNY per card", "元/卡"),
    "unit.CNY per member": ("CNY per member", "元/人"),
    "unit.CNY per first order": ("CNY per first order", "元/首单"),
    "unit.ratio": ("ratio", "倍数"),
    "unit.share per month": ("share per month", "每月比例"),
    "unit.day": ("day", "天"),
    "unit.CNY": ("CNY", "元"),
    # ---------------------------------------------------------------- funnel stages
    "stage.platform_buyers": ("Platform buyers", "平台买家"),
    "stage.reached_card": ("Reached by card", "收到包裹卡"),
    "stage.reached_sms": ("Reached by SMS", "收到短信"),
    "stage.added": ("Added as friends", "加为好友"),
    "stage.first_order": ("First private order", "私域首单"),
    "stage.repeat_buyers": ("Repeat buyers", "复购成员"),
    "stage.referred": ("Referred members", "裂变带来的成员"),
    # ---------------------------------------------------------------- figure labels
    "fig.people_log": ("people (log scale)", "人数（对数刻度）"),
    "fig.of_stage": ("{share} of {stage}", "占{stage} {share}"),
    "fig.days": ("days since the start of the run", "自模拟开始的天数"),
    "fig.net_profit": ("cumulative private net profit (CNY)", "累计私域净利润（元）"),
    "fig.payback": ("{strategy}: payback day {day}", "{strategy}：第 {day} 天回本"),
    "fig.horizon_end": ("end of acquisition window", "引流期结束"),
    "fig.band": ("95% interval of the mean", "均值的 95% 区间"),
    "fig.days_since_join": ("days since joining", "加入后的天数"),
    "fig.share_members": ("share of members", "成员比例"),
    "fig.not_churned": ("not churned", "未流失"),
    "fig.churned_unsubscribe": ("unsubscribed (deleted)", "已删除/退订"),
    "fig.churned_dormancy": ("dormant", "沉睡"),
    "fig.hours_since_sms": ("hours since the SMS was sent", "短信发送后的小时数"),
    "fig.sms_add_share": ("add requests / SMS sent (cumulative)", "加好友请求 / 短信发送量（累计）"),
    "fig.mark_hours": ("{hours} h", "{hours} 小时"),
    "fig.days_after_delivery": ("days after delivery", "签收后的天数"),
    "fig.days_or_more": ("{day}+", "{day}+"),
    "fig.card_adds_per_card": ("add requests / cards sent", "加好友请求 / 寄出的包裹卡"),
    "fig.touches_per_week": ("touches per week", "每周触达次数"),
    "fig.baseline_marker": ("baseline", "基线"),
    "fig.diff_axis": ("paired difference, % of baseline (95% CI)", "配对差异，占基线的 %（95% 置信区间）"),
    "fig.diff_title": ("Paired differences against the baseline", "相对基线的配对差异"),
    "fig.versus": ("{strategy} vs {baseline}", "{strategy} 对比 {baseline}"),
    "fig.metric_axis": ("{metric} ({unit})", "{metric}（{unit}）"),
    # takeaways (figure titles); {a}, {b} are already formatted
    "take.ltv_to_cac": ("{best}: LTV:CAC {a} vs {b} for {other}", "{best}：LTV:CAC 为 {a}，{other} 为 {b}"),
    "take.ltv_to_cac_one": ("{best}: LTV:CAC {a}", "{best}：LTV:CAC 为 {a}"),
    "take.ltv_to_cac_missing": ("LTV:CAC is missing for every strategy", "所有策略的 LTV:CAC 均缺失"),
    "take.funnel": (
        "{best}: {a} of platform buyers become members vs {b} for {other}",
        "{best}：{a} 的平台买家成为私域成员，{other} 为 {b}",
    ),
    "take.funnel_one": (
        "{best}: {a} of platform buyers become members; {b} of members order privately",
        "{best}：{a} 的平台买家成为私域成员，其中 {b} 在私域下单",
    ),
    "take.payback": ("{best} pays back on day {a} vs day {b} for {other}", "{best} 第 {a} 天回本，{other} 第 {b} 天"),
    "take.payback_only": (
        "{best} pays back on day {a}; {other} not within {days} days",
        "{best} 第 {a} 天回本；{other} {days} 天内未回本",
    ),
    "take.payback_one": ("{best} pays back on day {a}", "{best} 第 {a} 天回本"),
    "take.no_payback": (
        "No payback within {days} days: {best} ends at {a} vs {b} for {other}",
        "{days} 天内均未回本：{best} 最终为 {a}，{other} 为 {b}",
    ),
    "take.no_payback_one": (
        "{best}: no payback within {days} days; ends at {a}",
        "{best}：{days} 天内未回本，最终为 {a}",
    ),
    "take.survival": (
        "{best}: {a} of members not churned {days} days after joining vs {b} for {other}",
        "{best}：加入 {days} 天后 {a} 的成员未流失，{other} 为 {b}",
    ),
    "take.survival_one": (
        "{best}: {a} of members not churned {days} days after joining",
        "{best}：加入 {days} 天后 {a} 的成员未流失",
    ),
    "take.sms": (
        "{a} of SMS bring an add request within 24 h; {b} of those within 3 h",
        "{a} 的短信在 24 小时内带来加好友请求，其中 {b} 在 3 小时内",
    ),
    "take.card": (
        "{a} of card add requests arrive within {k} days of delivery",
        "{a} 的包裹卡加好友请求在签收后 {k} 天内到达",
    ),
    "take.dose_peak": ("{metric} peaks at {x} touches a week ({a})", "{metric} 在每周 {x} 次触达时最高（{a}）"),
    "take.dose_low": ("{metric} is lowest at {x} touches a week ({a})", "{metric} 在每周 {x} 次触达时最低（{a}）"),
    "take.dose_range": (
        "{metric}: {a} at {x0} vs {b} at {x1} touches a week",
        "{metric}：每周 {x0} 次触达时为 {a}，{x1} 次时为 {b}",
    ),
    "take.dose_peak_one": ("{metric} peaks at 1 touch a week ({a})", "{metric} 在每周 1 次触达时最高（{a}）"),
    "take.dose_low_one": ("{metric} is lowest at 1 touch a week ({a})", "{metric} 在每周 1 次触达时最低（{a}）"),
    # ---------------------------------------------------------------- report
    "report.title": ("Experiment: {name}", "实验：{name}"),
    "report.question": ("Question", "问题"),
    "report.headline": ("Headline", "结论"),
    "report.headline_note": (
        "Means over {n} replications on common random numbers, with 95% intervals; "
        "differences are paired by replication against the baseline **{baseline}**.",
        "基于 {n} 次共同随机数重复模拟的均值及 95% 置信区间；差异按重复次数与基线 **{baseline}** 配对计算。",
    ),
    "report.strategies": ("Strategies side by side", "策略对比"),
    "report.strategies_note": (
        "Every strategy starts from the same base; these are the levers that matter most and every lever "
        "that differs between the strategies. The full list is in `strategies.csv`.",
        "所有策略基于同一基础配置；下表列出最重要的杠杆以及策略之间不同的每一个杠杆。完整列表见 `strategies.csv`。",
    ),
    "report.control": ("control (no capture)", "对照组（不引流）"),
    "report.incremental": ("Incremental value against the control arm", "相对对照组的增量价值"),
    "report.incremental_note": (
        "The control arm is the same buyers with no capture: they buy only on their platforms. A private "
        "order that replaced a platform order (cannibalised) earns the brand only the platform commission and "
        "ads it saves, less the private order costs; the incremental metrics count that, the gross ones do not. "
        "The control column shows the control arm's own values.",
        "对照组是同一批买家但不做私域引流：他们只在平台购买。替代了平台订单的私域订单（被替代订单）只为品牌带来"
        "节省的平台佣金和广告费，减去私域订单成本；增量指标计入这一点，毛指标不计入。对照列为对照组本身的数值。",
    ),
    "report.figures": ("Figures", "图表"),
    "report.all_metrics": ("All metrics", "全部指标"),
    "report.assumptions": ("Assumptions and their sources", "假设及其来源"),
    "report.assumptions_note": (
        "Every default is an assumption, overridable on the command line; none is a fact about your brand. "
        "Values are those of the baseline strategy; levers that differ are listed under the strategies.",
        "所有默认值都是假设，可在命令行覆盖，并非您品牌的事实。数值取自基线策略；策略之间不同的杠杆见策略对比。",
    ),
    "report.files": ("Files of this run", "本次运行的文件"),
    "report.files_note": (
        "Tables: `summary.csv`, `differences.csv`, `replications.parquet`, `funnel.csv`, `curves.parquet`, "
        "`strategies.csv`, `assumptions.csv`; configuration: `config_resolved.yaml`. "
        "Rebuild this report without re-simulating: `python -m sim.report {run_dir}`.",
        "数据表：`summary.csv`、`differences.csv`、`replications.parquet`、`funnel.csv`、`curves.parquet`、"
        "`strategies.csv`、`assumptions.csv`；配置：`config_resolved.yaml`。"
        "无需重新模拟即可重建本报告：`python -m sim.report {run_dir}`。",
    ),
    "report.missing_note": (
        "A metric whose denominator is zero (no SMS sent, payback never reached) is *missing*.",
        "分母为零的指标（未发送短信、始终未回本）记为*缺失*。",
    ),
    "report.missing": ("missing", "缺失"),
    "report.col.metric": ("metric", "指标"),
    "report.col.lever": ("lever", "杠杆"),
    "report.col.quantity": ("quantity", "假设项"),
    "report.col.value": ("value", "取值"),
    "report.col.source": ("source", "来源"),
    "report.col.diff": ("{strategy} − {baseline}", "{strategy} − {baseline}"),
    "report.col.prob": ("P(better)", "P(更优)"),
    "report.col.strategy": ("strategy", "策略"),
    "report.col.difference": ("minus {baseline}, paired [95% CI]", "减去 {baseline}，配对 [95% 置信区间]"),
    "report.pp": ("pp", "个百分点"),
    "report.baseline_suffix": ("{name} (baseline)", "{name}（基线）"),
    "report.lang_fallback": (
        "report.lang=zh: no CJK font found (install the Debian package fonts-noto-cjk); "
        "writing the report and figures in English",
        "report.lang=zh: no CJK font found (install the Debian package fonts-noto-cjk); "
        "writing the report and figures in English",
    ),
    # figure captions
    "caption.comparison": (
        "CAC, LTV (12 months), LTV:CAC and monthly churn per strategy with 95% intervals; right: paired "
        "differences against the baseline, in % of the baseline's mean.",
        "各策略的获客成本、12个月 LTV、LTV:CAC 与月流失率及 95% 置信区间；右：相对基线的配对差异（占基线均值的 %）。",
    ),
    "caption.funnel": (
        "The funnel per strategy (mean over replications, log scale), with each stage's conversion from the "
        "stage it comes from.",
        "各策略的漏斗（重复模拟均值，对数刻度），并标注每一阶段相对上一阶段的转化率。",
    ),
    "caption.profit": (
        "Cumulative private net profit (all private income minus all private-domain costs) per strategy, "
        "with the 95% interval of the mean. The payback day marked is where the mean curve turns non-negative "
        "for good; the tables' payback day is the mean over the replications that pay back.",
        "各策略的累计私域净利润（全部私域收入减全部私域成本），含均值的 95% 区间。图中标出的回本日是均值曲线"
        "此后不再为负的第一天；表中的回本天数是各次回本的重复模拟的平均值。",
    ),
    "caption.survival": (
        "Members by days since joining: still not churned (solid), unsubscribed (dashed) and dormant (dotted); "
        "each member's first churn event counts.",
        "按加入后天数划分的成员状态：未流失（实线）、删除/退订（虚线）、沉睡（点线）；每位成员只计首次流失。",
    ),
    "caption.response": (
        "Left: SMS add requests by hours since sending, with the 3 h / 6 h / 12 h / 24 h marks. Right: package-card "
        "add requests by days after the parcel's delivery.",
        "左：短信发送后各小时的累计加好友请求，标出 3/6/12/24 小时；右：包裹签收后各天的包裹卡加好友请求。",
    ),
    "caption.dose_response": (
        "LTV (12 months) and monthly churn against touches per week, with 95% intervals.",
        "12个月 LTV 与月流失率随每周触达次数的变化，含 95% 置信区间。",
    ),
    # ---------------------------------------------------------------- levers (strategies table)
    "lever.channel.card": ("package card", "包裹卡"),
    "lever.channel.sms": ("SMS", "短信"),
    "lever.hook.type": ("hook", "钩子"),
    "lever.hook.value_cny": ("hook value (CNY)", "钩子面值（元）"),
    "lever.card.design": ("card design", "卡片设计"),
    "lever.card.cost_per_card_cny": ("cost per card (CNY)", "每张卡成本（元）"),
    "lever.sms.cost_per_message_cny": ("cost per SMS (CNY)", "每条短信成本（元）"),
    "lever.onboarding.unlimited": ("unlimited onboarding", "无限承接"),
    "lever.onboarding.agents": ("service agents", "客服人数"),
    "lever.offer.name": ("new-member offer", "新人首单福利"),
    "lever.offer.subsidy_cny": ("first-order subsidy (CNY)", "首单补贴（元）"),
    "lever.touch.touches_per_week": ("touches per week", "每周触达次数"),
    "lever.touch.cap_per_week": ("touch cap per week", "每周触达上限"),
    "lever.referral.enabled": ("referral", "裂变"),
    "lever.membership.enabled": ("paid membership", "付费会员"),
    # ---------------------------------------------------------------- assumptions
    "assume.card_add_rate": ("package-card add rate (first card)", "包裹卡添加率（首张卡）"),
    "assume.hook": ("hook and its value", "钩子及面值"),
    "assume.sms": ("SMS response and cost", "短信响应与成本"),
    "assume.repeat": ("repeat buying (BG/NBD)", "复购（BG/NBD）"),
    "assume.spend": ("spend per order (Gamma-Gamma)", "客单价（Gamma-Gamma）"),
    "assume.unsubscribe": ("unsubscribe hazard (shifted-beta-geometric)", "删除/退订风险（sBG）"),
    "assume.touch_response": ("touch response", "触达响应"),
    "assume.onboarding": ("onboarding desk", "承接客服"),
    "assume.first_order": ("first private order", "私域首单"),
    "assume.referral": ("referral", "裂变"),
    "assume.margins": ("margins and churn definition", "毛利与流失定义"),
    "assume.volume": ("platform volume", "平台订单量"),
    "assume.platform": ("platform economics and private share", "平台经济性与私域占比"),
    "source.card_add_rate": (
        "practitioners: 'generally under 10%', 15–20% with lottery hooks (niaogebiji.com 111999; nctoro.com 109372)",
        "从业者经验：“一般低于 10%”，抽奖钩子可达 15–20%（niaogebiji.com 111999；nctoro.com 109372）",
    ),
    "source.hook": (
        "'CNY 3–20 typical'; ranking cash > physical > coupon > virtual (niaogebiji.com 111999)",
        "“常见 3–20 元”；吸引力排序 现金红包＞低价实体产品＞优惠券＞虚拟服务（niaogebiji.com 111999）",
    ),
    "source.sms": (
        "'90% below 0.5%' click-through, '>40% intercepted' on Android (qdjiaoyu.cn 4527); "
        "about CNY 0.03 a message (yuuhuu.net 12349)",
        "“90% 低于 0.5%”点击率，安卓长链接拦截“超过 40%”（qdjiaoyu.cn 4527）；每条约 0.03 元（yuuhuu.net 12349）",
    ),
    "source.repeat": (
        "CDNOW fit, Fader, Hardie & Lee (2005), Marketing Science 24(2)",
        "CDNOW 拟合，Fader、Hardie 与 Lee（2005），Marketing Science 24(2)",
    ),
    "source.spend": (
        "shape from Fader, Hardie & Lee (2005, JMR); the CNY 120 mean order is an assumption",
        "形状参数来自 Fader、Hardie 与 Lee（2005，JMR）；120 元平均客单价为假设",
    ),
    "source.unsubscribe": (
        "assumption; the form is Fader & Hardie (2007)",
        "假设；模型形式来自 Fader 与 Hardie（2007）",
    ),
    "source.touch_response": (
        "assumption: no published numbers; under these values LTV per member peaks near 5 touches a week, "
        "and more touching is punished by deletes (频繁打扰导致退订)",
        "假设：无公开数据；在此设定下单成员 LTV 在每周约 5 次触达时最高，触达更频繁则删除增多（频繁打扰导致退订）",
    ),
    "source.assumption": ("assumption", "假设"),
    "source.first_order": (
        "assumption; practitioners aim for the first order within about 3 days",
        "假设；从业者目标是在约 3 天内完成首单",
    ),
}
