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
    "metric.incremental_net_profit_12m": ("Incremental net profit (12 months)", "12个月增量净利润"),
    "metric.net_profit_12m": ("Net profit (12 months, gross)", "12个月净利润（毛）"),
    "metric.members_acquired": ("Members acquired", "新增私域成员"),
    "metric.capture_rate_card": ("Card capture rate", "包裹卡引流率"),
    "metric.capture_rate_sms": ("SMS capture rate", "短信引流率"),
    "metric.card_contribution": ("Per-card contribution", "单卡贡献"),
    "metric.first_order_rate": ("First-order rate", "首单率"),
    "metric.cac": ("CAC", "获客成本 CAC"),
    "metric.cost_per_first_order": ("Cost per first order", "单个首单成本"),
    "metric.ltv_12m": ("LTV (12 months, gross)", "12个月 LTV（毛）"),
    "metric.incremental_ltv": ("Incremental LTV ({months} months)", "{months}个月增量 LTV"),
    "metric.ltv_horizon": ("LTV (within horizon)", "周期内 LTV"),
    "metric.ltv_to_cac": ("LTV:CAC (gross)", "LTV:CAC 比值（毛）"),
    "metric.incremental_ltv_to_cac": ("Incremental LTV:CAC", "增量 LTV:CAC 比值"),
    "metric.monthly_churn": ("Monthly churn", "月流失率"),
    "metric.monthly_churn_unsubscribe": ("Monthly churn: unsubscribe", "月流失率（删除/退订）"),
    "metric.monthly_churn_dormancy": ("Monthly churn: dormancy", "月流失率（沉睡）"),
    "metric.payback_day": ("Payback day", "回本天数"),
    "metric.roi": ("ROI (gross)", "投资回报率 ROI（毛）"),
    "metric.incremental_roi": ("Incremental ROI", "增量投资回报率"),
    "metric.private_gmv": ("Private GMV", "私域 GMV"),
    "metric.private_orders": ("Private orders", "私域订单数"),
    "metric.brand_orders": ("Orders, all channels", "全渠道订单数"),
    "metric.cannibalised_orders": ("Cannibalised orders", "替代平台的订单数"),
    "metric.cannibalisation_rate": ("Cannibalisation rate", "订单替代率"),
    "metric.incremental_margin": ("Incremental order margin", "增量订单毛利"),
    "metric.desk_utilisation": ("Onboarding desk utilisation", "承接客服利用率"),
    "metric.requests_lost_share": ("Add requests lost", "流失的加粉请求占比"),
    "metric.traffic": ("Traffic (cards + SMS sent)", "流量（包裹卡 + 短信）"),
    "metric.referred_members": ("Referred members", "裂变带来的成员"),
    "metric.k_factor": ("K-factor", "K因子"),
    "metric.fission_rate": ("Fission rate", "裂变率"),
    "metric.share_completion_rate": ("Share completion rate", "成团率"),
    "metric.response_time_hours": ("Response time (hours)", "响应时长（小时）"),
    "metric.repurchase_cycle_days": ("Repurchase cycle (days)", "复购周期（天）"),
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
    "unit.orders": ("orders", "单"),
    "unit.messages": ("messages", "条"),
    "unit.hours": ("hours", "小时"),
    "unit.days": ("days", "天"),
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
    "fig.net_profit": ("cumulative net profit against doing nothing (CNY)", "相对不做私域的累计净利润（元）"),
    "fig.incremental_of": ("{strategy}: incremental", "{strategy}：增量"),
    "fig.gross_of": ("{strategy}: gross", "{strategy}：毛"),
    "fig.payback": ("{strategy}: payback day {day}", "{strategy}：第 {day} 天回本"),
    "fig.horizon_end": ("end of acquisition window", "引流期结束"),
    "fig.band": ("95% interval of the mean", "均值的 95% 区间"),
    "fig.days_since_join": ("days since joining", "加入后的天数"),
    "fig.dormancy_window": (
        "dormancy window ({days} days): members with no private order\nsince joining count as churned (dormant)",
        "沉睡窗口（{days} 天）：加入后无私域订单的成员\n计为流失（沉睡）",
    ),
    "fig.identical": ("{strategy} (same as {other})", "{strategy}（与 {other} 相同）"),
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
    "fig.diff_axis": ("paired difference ({unit}), 95% CI", "配对差异（{unit}），95% 置信区间"),
    "fig.diff_title": ("Paired differences against the baseline", "相对基线的配对差异"),
    "fig.versus": ("{strategy} vs {baseline}", "{strategy} 对比 {baseline}"),
    "fig.metric_axis": ("{metric} ({unit})", "{metric}（{unit}）"),
    # takeaways (figure titles); {a}, {b} are already formatted
    # the headline (sim.report.headline): incremental net profit over 12 months, winner from the paired difference
    "head.each": ("{strategy} {value}", "{strategy} {value}"),
    "head.separator": ("; ", "；"),
    "head.winner": (
        "{best} earns {diff} more incremental net profit over {months} months than {other} (paired, 95% interval); "
        "against doing nothing: {each}.",
        "{best}的{months}个月增量净利润比{other}多 {diff}（配对差异，95% 区间）；相对不做私域：{each}。",
    ),
    "head.tie": (
        "No clear difference in incremental net profit over {months} months between {a} and {b}: "
        "{a} − {b} = {diff} (paired, 95% interval); against doing nothing: {each}.",
        "{a}与{b}的{months}个月增量净利润没有明显差异：{a} − {b} = {diff}（配对差异，95% 区间）；"
        "相对不做私域：{each}。",
    ),
    "head.one": (
        "Incremental net profit over {months} months against doing nothing: {each} (95% interval).",
        "相对不做私域的{months}个月增量净利润：{each}（95% 区间）。",
    ),
    "head.missing": ("Incremental net profit is missing for every strategy.", "所有策略的增量净利润均缺失。"),
    "title.winner": (
        "{best}: {diff} more incremental net profit ({months} months) than {other}",
        "{best}：{months}个月增量净利润比{other}多 {diff}",
    ),
    "title.tie": (
        "No clear difference in incremental net profit ({months} months): {a} − {b} = {diff}",
        "{months}个月增量净利润无明显差异：{a} − {b} = {diff}",
    ),
    "console.note": (
        "{n} replications on common random numbers; 95% intervals. incremental_*: against the control arm (no "
        "capture, same buyers), whose own values are in summary.csv. Results in {out_dir}",
        "基于 {n} 次共同随机数重复模拟；95% 置信区间。incremental_*（增量）指相对对照组（不引流、同一批买家）；"
        "对照组自身数值见 summary.csv。结果目录：{out_dir}",
    ),
    "console.report": (
        "Report: {path} (rebuild: python -m sim.report {out_dir})",
        "报告：{path}（重建：python -m sim.report {out_dir}）",
    ),
    "warn.desk_idle": (
        "Warning: the onboarding team is busy only part of its working time ({busy}); its cost is fixed, so fewer "
        "agents (onboarding.agents) would add the same members for less.",
        "注意：承接客服只有部分工作时间在处理加粉请求（{busy}）；人力为固定成本，减少客服（onboarding.agents）"
        "可以更低成本加到同样多的粉。",
    ),
    "warn.desk_losing": (
        "Warning: add requests are lost before anyone accepts them ({lost}); more agents or longer hours "
        "(onboarding.agents, onboarding.work_end_hour, or with shifts each shift's agents and hours in "
        "onboarding.shifts) would keep them.",
        "注意：部分加粉请求在通过前流失（{lost}）；增加客服或延长工作时间（onboarding.agents、"
        "onboarding.work_end_hour，分班次时为 onboarding.shifts 中各班次的人数与时段）可挽回。",
    ),
    "warn.desk_hours": (
        "Warning: the onboarding team is idle most of its working time (busy {busy}) yet loses add requests "
        "({lost}): buyers give up while the desk is closed; longer hours (onboarding.work_start_hour, "
        "work_end_hour, or with shifts the hours in onboarding.shifts), not more agents, would keep them.",
        "注意：承接客服大部分工作时间空闲（忙碌：{busy}），却仍流失加粉请求（{lost}）：买家在下班时间等待后放弃；"
        "延长工作时间（onboarding.work_start_hour、work_end_hour，分班次时为 onboarding.shifts 中的时段）"
        "而非增加客服，可挽回这些请求。",
    ),
    "title.one": ("Incremental net profit ({months} months): {each}", "{months}个月增量净利润：{each}"),
    "title.all_lose": (" — every strategy loses money against doing nothing", "——所有策略相对不做私域均亏损"),
    "take.funnel": (
        "{best}: {a} of platform buyers become members vs {b} for {other}",
        "{best}：{a} 的平台买家成为私域成员，{other} 为 {b}",
    ),
    "take.funnel_tie": (
        "{best} and {other}: {a} of platform buyers become members in both",
        "{best} 与 {other}：均有 {a} 的平台买家成为私域成员",
    ),
    "take.funnel_one": (
        "{best}: {a} of platform buyers become members; {b} of members order privately",
        "{best}：{a} 的平台买家成为私域成员，其中 {b} 在私域下单",
    ),
    "take.payback_day": ("{strategy} pays back on day {day}", "{strategy} 第 {day} 天回本"),
    "take.payback_share": (" (in {n} of {total} replications)", "（{total} 次重复中有 {n} 次回本）"),
    "take.payback_never": (
        "{strategy}: never paid back within {days} days (ends at {a})",
        "{strategy}：{days} 天内未回本（最终为 {a}）",
    ),
    "take.survival": (
        "{best}: {a} of members not churned {days} days after joining vs {b} for {other}",
        "{best}：加入 {days} 天后 {a} 的成员未流失，{other} 为 {b}",
    ),
    "take.survival_tie": (
        "{best} and {other}: {a} of members not churned {days} days after joining in both",
        "{best} 与 {other}：加入 {days} 天后均有 {a} 的成员未流失",
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
    "take.waterfall": (
        "{strategy}: incremental net profit {a} ({months} months)",
        "{strategy}：{months}个月增量净利润 {a}",
    ),
    "fig.amount_cny": ("CNY (mean over replications)", "元（重复模拟均值）"),
    # ledger lines (costs.csv, the waterfall figure)
    "line.gross_margin": ("gross margin", "毛利"),
    "line.membership_fee": ("membership fees", "会员费"),
    "line.first_order_subsidy": ("first-order subsidies", "首单补贴"),
    "line.touches": ("touches", "触达成本"),
    "line.service": ("service per order", "订单客服成本"),
    "line.shipping": ("shipping", "运费"),
    "line.payment_fee": ("payment fees", "支付手续费"),
    "line.membership_discount": ("member discounts", "会员折扣"),
    "line.platform_contribution_lost": ("platform profit lost to cannibalised orders", "被替代的平台订单利润"),
    "line.cards": ("package cards", "包裹卡"),
    "line.sms": ("SMS", "短信"),
    "line.hook": ("hook payouts", "钩子成本"),
    "line.referral_reward": ("referral rewards", "裂变奖励"),
    "line.onboarding_staff": ("onboarding staff", "承接客服人力"),
    "line.wave_hook": ("SMS wave hooks", "短信波次钩子成本"),
    "line.wecom_accounts": ("WeCom accounts opened", "新开企微账号"),
    "total.ltv_12m": ("LTV, 12 months (gross)", "12个月 LTV（毛）"),
    "total.incremental_value": ("incremental value", "增量价值"),
    "total.incremental_net_profit": ("incremental net profit", "增量净利润"),
    # SMS waves, the campaign calendar and the WeCom accounts (figures)
    "fig.wave_label": ("{strategy} · {wave} ({hook}, {hour}:00)", "{strategy} · {wave}（{hook}，{hour}:00）"),
    "fig.within_hours": ("within {hours} h", "{hours} 小时内"),
    "fig.adds_per_1000": (
        "add requests within {hours} h per 1,000 SMS delivered",
        "每 1,000 条送达短信在 {hours} 小时内带来的加好友请求",
    ),
    "fig.wave_profit": (
        "incremental profit of the wave (CNY, {months} months), 95% CI",
        "该波次的增量利润（元，{months}个月），95% 置信区间",
    ),
    "take.wave_response": (
        "Per 1,000 SMS delivered: {best} brings {a} add requests within 24 h; {worst} {b}",
        "每 1,000 条送达短信：{best} 在 24 小时内带来 {a} 个加好友请求；{worst} 为 {b}",
    ),
    "take.wave_profit": (
        "{best} earns the most ({a}); {n} of {total} waves lose money",
        "{best} 增量利润最高（{a}）；{total} 个波次中有 {n} 个亏损",
    ),
    "fig.adds_per_day": ("friends added a day", "每日加粉数"),
    "fig.desk_load": ("onboarding desk load", "承接客服负荷"),
    "fig.lost_per_day": ("add requests lost a day", "每日流失的加粉请求"),
    "take.calendar_adds": (
        "Adds peak at {a} a day on day {day} ({strategy})",
        "加粉在第 {day} 天达到每日 {a} 人的高峰（{strategy}）",
    ),
    "take.calendar_load": (
        "{strategy}: the desk is {a} busy on day {day}, its busiest, and loses {b} add requests that day",
        "{strategy}：承接客服在最忙的第 {day} 天负荷为 {a}，当天流失 {b} 个加粉请求",
    ),
    "take.calendar_lost": (
        "{strategy} loses the most add requests over the horizon: {a}",
        "{strategy} 在整个周期内流失的加粉请求最多：{a}",
    ),
    "take.calendar_profit": (
        "{strategy}: {a} cumulative incremental net profit by day {days} (dashed: end of the horizon), against {b} "
        "for {other}",
        "{strategy}：到第 {days} 天的累计增量净利润为 {a}（虚线：引流期结束），{other} 为 {b}",
    ),
    "fig.friends": ("friends on the accounts\n(dashed: initial accounts' cap)", "账号好友数\n（虚线：初始账号上限）"),
    "fig.accounts_used": ("WeCom accounts used", "使用的企微账号数"),
    "fig.lost_to_caps": ("add requests lost to full accounts (cumulative)", "因账号满员流失的加粉请求（累计）"),
    "take.accounts_full": (
        "{strategy}: the first WeCom account is full on day {day}",
        "{strategy}：第一个企微账号在第 {day} 天加满",
    ),
    "take.accounts_room": ("No WeCom account fills within the horizon", "周期内没有企微账号加满"),
    "take.accounts_used": ("{strategy} ends with {a} WeCom accounts", "{strategy} 最终使用 {a} 个企微账号"),
    "take.accounts_lost": (
        "{strategy} loses {a} add requests to full accounts",
        "{strategy} 因账号满员流失 {a} 个加粉请求",
    ),
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
    "report.kpis": ("Operator KPIs and the private-domain GMV formula", "运营指标与私域GMV公式"),
    "report.kpis_note": (
        "K-factor: friends a member brings in; fission rate: referred members per card or SMS member; response "
        "time: hours from add request to acceptance; repurchase cycle: median days between a member's private "
        "orders. Definitions in the README's metric table.",
        "K因子：每个成员带来的好友数；裂变率：每个包裹卡或短信成员带来的裂变成员数；响应时长：从加好友请求到通过"
        "的小时数；复购周期：成员两次私域订单之间的天数中位数。定义见 README 的指标表。",
    ),
    "report.gmv_note": (
        "私域GMV = traffic x conversion x fission x LTV x order value, read with LTV as private orders per member "
        "within the horizon, holds exactly: each factor is a ratio of sums over the replications, and their "
        "product is the mean private GMV.",
        "私域GMV = 流量 × 转化率 × 裂变 × LTV × 客单价，其中 LTV 取周期内人均私域订单数，此式严格成立：每个因子是"
        "各次重复之和的比值，其乘积即平均私域 GMV。",
    ),
    "report.col.gmv.factor": ("factor", "因子"),
    "report.col.gmv.traffic": ("traffic (cards + SMS)", "流量（包裹卡 + 短信）"),
    "report.col.gmv.conversion_rate": ("conversion (card/SMS members)", "转化率（包裹卡/短信成员）"),
    "report.col.gmv.fission_multiplier": ("fission (members / card+SMS members)", "裂变（成员 / 包裹卡+短信成员）"),
    "report.col.gmv.orders_per_member": ("LTV (private orders per member)", "LTV（人均私域订单数）"),
    "report.col.gmv.aov_cny": ("order value (AOV)", "客单价"),
    "report.col.gmv.private_gmv_cny": ("private GMV", "私域 GMV"),
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
        "Tables: `summary.csv`, `differences.csv`, `costs.csv`, `replications.parquet`, `funnel.csv`, "
        "`curves.parquet`, `strategies.csv`, `assumptions.csv`, and when the run has them `waves.csv`, "
        "`campaigns.csv`, `accounts.csv`; configuration: `config_resolved.yaml`; log: `__main__.log`. "
        "Rebuild this report without re-simulating: `python -m sim.report {run_dir}`.",
        "数据表：`summary.csv`、`differences.csv`、`costs.csv`、`replications.parquet`、`funnel.csv`、"
        "`curves.parquet`、`strategies.csv`、`assumptions.csv`，以及（如有）`waves.csv`、`campaigns.csv`、"
        "`accounts.csv`；配置：`config_resolved.yaml`；日志：`__main__.log`。"
        "无需重新模拟即可重建本报告：`python -m sim.report {run_dir}`。",
    ),
    "report.missing_note": (
        "A metric whose denominator is zero (no SMS sent, no member acquired) is *missing*; a payback that never "
        "comes within the run is *never paid back*.",
        "分母为零的指标（未发送短信、未获得成员）记为*缺失*；运行期内始终未回本的记为*未回本*。",
    ),
    "report.waves": ("SMS waves", "短信波次"),
    "report.waves_note": (
        "Each wave's messages and what they brought, means over replications. A wave's incremental profit is "
        "attributed: its members' {months}-month incremental value less its messages and their hooks. It is not the "
        "wave's causal effect (a member it captured might have scanned a card later, and its adds queue at the "
        "same desk); the paired difference against a strategy without the wave, in the headline, is.",
        "各波次短信的发送与效果（重复模拟均值）。波次的增量利润为归因口径："
        "其带来的成员 {months} 个月增量价值减去短信与钩子成本。"
        "它不是波次的因果效应（被它召回的成员也可能之后扫包裹卡加粉，且其加粉请求与其他请求共用承接客服）；"
        "因果效应见结论中相对不发该波次策略的配对差异。",
    ),
    "report.campaigns": ("Campaign calendar", "活动日历"),
    "report.campaigns_note": (
        "Per campaign, over its windows: the members whose add request fell in a window, their first orders, the "
        "spend booked on the window's days (cards, SMS, staff, accounts) and their hooks, their {months}-month "
        "incremental value less that spend, and the onboarding desk on the window's busiest day. The campaign's "
        "full effect, touches and offers included, is the paired difference against business as usual.",
        "各活动在其时间窗内：加粉请求落在窗内的成员、其首单数、窗内各天的获客支出（包裹卡、短信、人力、账号）及其钩子成本、"
        "其 {months} 个月增量价值减去上述支出，以及窗内最忙一天的承接客服情况。活动的完整效果（含触达与首单福利）"
        "见相对日常运营的配对差异。",
    ),
    "report.accounts": ("WeCom accounts", "企微账号"),
    "report.accounts_note": (
        "Friends are added to WeCom staff accounts up to each account's cap; when every account is full, a new "
        "one is opened or further add requests are lost (onboarding.when_full). Means over replications.",
        "好友加到企微员工账号上，每个账号有好友上限；所有账号加满后，新开账号或流失后续加粉请求"
        "（onboarding.when_full）。重复模拟均值。",
    ),
    "report.col.wave": ("wave", "波次"),
    "report.col.hook": ("hook", "钩子"),
    "report.col.sent_at": ("sent on", "发送时间"),
    "report.col.messages": ("messages sent", "发送条数"),
    "report.col.delivered": ("delivered", "送达条数"),
    "report.col.adds_marks": ("add requests within 3 / 6 / 12 / 24 h", "3 / 6 / 12 / 24 小时内加好友请求"),
    "report.col.members": ("members added", "新增成员"),
    "report.col.first_orders": ("first orders", "首单数"),
    "report.col.opted_out": ("unsubscribed", "退订"),
    "report.col.cost": ("cost (CNY)", "成本（元）"),
    "report.col.cost_per_member": ("cost per member (CNY)", "单个成员成本（元）"),
    "report.col.incremental_profit": ("incremental profit [95% CI]", "增量利润 [95% 置信区间]"),
    "report.col.campaign": ("campaign", "活动"),
    "report.col.windows": ("days of the run", "运行日"),
    "report.col.spend": ("spend (CNY)", "支出（元）"),
    "report.col.peak": ("busiest day: requests, desk load, lost", "最忙一天：请求数、客服负荷、流失数"),
    "report.col.accounts_start": ("accounts at the start", "初始账号数"),
    "report.col.accounts_used": ("accounts used", "使用账号数"),
    "report.col.capacity": ("friends the initial accounts hold", "初始账号好友上限"),
    "report.col.friends": ("friends at the end", "期末好友数"),
    "report.col.lost_to_caps": (
        "add requests lost to full accounts [95% CI]",
        "因账号满员流失的加粉请求 [95% 置信区间]",
    ),
    "report.col.first_full": ("first account full (day)", "首个账号加满（天）"),
    "report.day_hour": ("day {day}, {hour}:00", "第 {day} 天 {hour}:00"),
    "report.day": ("day {day}", "第 {day} 天"),
    "report.filtered": ("(filtered in {share} of replications)", "（{share} 的重复中整批被拦截）"),
    "report.never": ("never", "从未"),
    "report.missing": ("missing", "缺失"),
    "report.not_paid_back": ("never paid back", "未回本"),
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
        "Incremental net profit over {months} months (against doing nothing; dashed line: break-even), incremental "
        "LTV:CAC (dashed line: 1), CAC and monthly churn per strategy with 95% intervals; right: each metric's "
        "paired difference against the baseline, in its own unit. The title names a winner only when the paired "
        "interval of incremental net profit excludes zero.",
        "各策略的 {months} 个月增量净利润（相对不做私域；虚线为盈亏平衡）、增量 LTV:CAC（虚线为 1）、"
        "获客成本与月流失率，含 95% 置信区间；右：各指标相对基线的配对差异（原单位）。"
        "仅当增量净利润的配对区间不含零时，标题才给出胜者。",
    ),
    "caption.waterfall": (
        "Where each strategy's incremental net profit comes from: the members' first {months} months by ledger line "
        "(discounted to the join day), less what cannibalised orders would have earned on the platforms, less "
        "every acquisition cost (means over replications; costs.csv has every line with its interval).",
        "各策略增量净利润的构成：成员前 {months} 个月按账目逐项（折现到加入日），减去被替代订单本可在平台获得的利润，"
        "再减去各项获客成本（重复模拟均值；costs.csv 列出每一项及其区间）。",
    ),
    "caption.funnel": (
        "The funnel per strategy (mean over replications, log scale), with each stage's conversion from the "
        "stage it comes from.",
        "各策略的漏斗（重复模拟均值，对数刻度），并标注每一阶段相对上一阶段的转化率。",
    ),
    "caption.profit": (
        "Cumulative incremental net profit per strategy (solid, with the 95% interval of the mean): private income "
        "minus all private-domain costs minus what cannibalised orders would have earned on the platforms, i.e. the "
        "profit against doing nothing; the dashed lines are the gross profit. The payback day marked is the "
        "payback_day of the tables: the first day from which a replication's incremental profit stays >= 0, "
        "averaged over the replications that pay back.",
        "各策略的累计增量净利润（实线，含均值的 95% 区间）：私域收入减全部私域成本，再减被替代订单本可在平台获得的"
        "利润，即相对不做私域的利润；虚线为毛利润。图中标出的回本日即表中的回本天数：各次重复模拟中增量利润此后"
        "不再为负的第一天，对回本的重复取平均。",
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
    "caption.waves": (
        "SMS waves by hook and send hour. Left: add requests within 24 h per 1,000 messages delivered (bars), "
        "with the 3, 6 and 12 h marks. Right: each wave's incremental profit (its members' {months}-month incremental "
        "value less its messages and hooks) with its 95% interval.",
        "按钩子与发送时间划分的短信波次。左：每 1,000 条送达短信在 24 小时内带来的加好友请求（柱），并标出 3、6、12 "
        "小时；右：各波次的增量利润（成员 {months} 个月增量价值减去短信与钩子成本）及其 95% 置信区间。",
    ),
    "caption.calendar": (
        "The run day by day (means over replications): friends added, the onboarding desk's load (handling time "
        "/ time on duty), add requests lost, and cumulative incremental net profit. Shaded: campaign windows; "
        "dotted: SMS waves.",
        "按天展示（重复模拟均值）：每日加粉数、承接客服负荷（处理时间/在岗时间）、流失的加粉请求和累计增量净利润。"
        "阴影为活动时间窗，点线为短信波次。",
    ),
    "caption.accounts": (
        "WeCom accounts filling over time (means over replications): friends on the accounts against what the "
        "initial accounts hold (dashed), accounts used, and add requests lost because every account was full.",
        "企微账号随时间加满（重复模拟均值）：账号上的好友数与初始账号上限（虚线）、使用的账号数，以及因所有账号满员"
        "而流失的加粉请求。",
    ),
    "caption.referral": (
        "Referral by strategy: K-factor (friends a member brings in), fission rate (referred members per card or "
        "SMS member), the share of 拼团 groups, 助力 links or red packets completed, and the incremental net profit, "
        "each with its 95% interval over replications.",
        "各策略的裂变：K因子（每个成员带来的好友数）、裂变率（每个包裹卡或短信成员带来的裂变成员数）、拼团成团、助力"
        "达标或红包领完的比例，以及增量净利润，均附重复模拟的 95% 区间。",
    ),
    "fig.referral_title": (
        "Referral mechanics: what each brings in, and what it earns",
        "裂变玩法：各带来多少成员，赚多少钱",
    ),
    "caption.dose_response": (
        "LTV ({months} months) and monthly churn against touches per week, with 95% intervals.",
        "{months}个月 LTV 与月流失率随每周触达次数的变化，含 95% 置信区间。",
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
    "lever.referral.mechanic": ("referral mechanic", "裂变玩法"),
    "lever.referral.invite_prob": ("chance an order shares", "每单分享概率"),
    "lever.referral.friends_per_invite": ("friends reached per share", "每次分享触达好友数"),
    "lever.referral.accept_prob": ("friend accepts", "好友接受概率"),
    "lever.referral.reward_cny": ("reward per friend added (CNY)", "每位新增好友奖励（元）"),
    "lever.referral.immunity_decay": ("share chance kept after each share", "每次分享后保留的分享概率"),
    "lever.referral.group_size": ("拼团 group size", "拼团人数"),
    "lever.referral.window_days": ("拼团 window (days)", "拼团时限（天）"),
    "lever.referral.help_threshold": ("助力 helpers needed", "助力所需人数"),
    "lever.referral.help_reward_cny": ("助力 reward (CNY)", "助力奖励（元）"),
    "lever.referral.red_packet_slots": ("red packet shares", "红包份数"),
    "lever.membership.enabled": ("paid membership", "付费会员"),
    # option values in the strategies table
    "value.cash": ("cash", "现金红包"),
    "value.coupon": ("coupon", "优惠券"),
    "value.physical": ("physical", "低价实物"),
    "value.virtual": ("virtual", "虚拟服务"),
    "value.postcard": ("postcard", "明信片"),
    "value.generic": ("generic", "通用红卡"),
    "value.bookmark": ("bookmark", "书签"),
    "value.founder_letter": ("founder_letter", "创始人信"),
    "value.trial_9_9": ("trial_9_9", "9.9元体验装"),
    "value.new_member_coupon": ("new_member_coupon", "新人券"),
    "value.none": ("none", "无"),
    "value.invite": ("invite", "邀请"),
    "value.group_buy": ("group buy (拼团)", "拼团"),
    "value.help_link": ("help link (助力)", "助力"),
    "value.red_packet": ("red packet (红包)", "红包"),
    "value.True": ("True", "是"),
    "value.False": ("False", "否"),
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
    "assume.wecom_accounts": ("WeCom accounts", "企微账号"),
    "assume.sms_waves": ("SMS waves: response and opt-out", "短信波次：响应与退订"),
    "assume.existing_base": ("existing customer base", "存量老客"),
    "assume.referral_mechanics": ("referral mechanics and immunity", "裂变玩法与免疫"),
    "source.referral_mechanics": (
        "the seeds list 拼团, 打卡, 助力, 抽奖 and 红包 as the common mechanics, plan three-person group buys "
        "(三人拼团), "
        "and say users have grown immune to them (人人都是产品经理, 2022); every number is an assumption",
        "原文列出拼团、打卡、助力、抽奖、红包等常见裂变玩法，提到三人拼团，并指出用户已产生免疫力（人人都是产品经理，"
        "2022）；所有数值均为假设",
    ),
    "source.wecom_accounts": (
        "5,000 customers per staff account at first, expandable to 20,000 on request; 50,000 per enterprise at "
        "first (wescrm.com 8852; xiaokeduo.com 15106); the daily add limit, accounts and new-account cost are "
        "assumptions",
        "每个员工账号初始 5,000 个客户，可申请扩容至 20,000；企业初始 50,000 个客户关系（wescrm.com 8852；"
        "xiaokeduo.com 15106）；每日加好友上限、账号数与新开账号成本为假设",
    ),
    "source.sms_waves": (
        "assumption: hook lifts ranked as practitioners rank hooks (cash > low-price gift > coupon > virtual); the "
        "seeds name samples, lotteries and coupons as SMS hooks and A/B-test send times without numbers; "
        "interception per message as the routine SMS (qdjiaoyu.cn 4527), a whole wave can yield zero",
        "假设：钩子提升按从业者的吸引力排序（现金红包＞低价实体产品＞优惠券＞虚拟服务）；原文提到短信钩子"
        "（领小样、抽奖、送券）和推送时间 A/B 测试但无数据；单条拦截率同常规短信（qdjiaoyu.cn 4527），"
        "整批短信可能零召回",
    ),
    "source.existing_base": (
        "drawn from the model: first orders uniform over the history, then the BG/NBD process above",
        "由模型生成：首单在历史期内均匀分布，此后按上述 BG/NBD 过程购买",
    ),
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
    # python -m sim.plan risk
    "risk.heading": ("Risk of the plan: {name}", "方案风险：{name}"),
    "risk.sentence": ("**{strategy}** ({n} replications): {parts}.", "**{strategy}**（{n} 次重复模拟）：{parts}。"),
    "risk.join": ("; ", "；"),
    "risk.loss": (
        "P(loss against doing nothing) {p}; downside case (5th percentile) {downside}",
        "相对不做私域的亏损概率 {p}；下行情景（第 5 百分位）{downside}",
    ),
    "risk.reach": ("P({metric} reaches {target}) {p}", "{metric}达到 {target} 的概率 {p}"),
    "risk.at_most": ("P({metric} at most {target}) {p}", "{metric}不超过 {target} 的概率 {p}"),
    "risk.method": (
        "Each replication is one possible year (its own buyers and luck). Chances are shares of replications with "
        "Wilson 95% intervals; the downside case is the 5th percentile (95th for metrics where less is better); a "
        "payback that never came counts as the worst outcome. More replications (run.n_replications) narrow the "
        "intervals.",
        "每次重复模拟代表一种可能的一年（各自的买家与随机性）。概率为达成的重复模拟占比，附 Wilson 95% 区间；"
        "下行情景为第 5 百分位（越低越好的指标取第 95 百分位）；未回本计为最差结果。增加重复次数"
        "（run.n_replications）可收窄区间。",
    ),
    "risk.col.strategy": ("Strategy", "策略"),
    "risk.col.metric": ("Metric", "指标"),
    "risk.col.mean": ("Mean", "均值"),
    "risk.col.median": ("Median", "中位数"),
    "risk.col.downside": ("Downside case", "下行情景"),
    "risk.col.p_target": ("P(reaching the target)", "达成目标概率"),
    "risk.target": ("target", "目标"),
    "risk.missing": ("{what}: {k} of {n}", "{what}：{n} 次中 {k} 次"),
    "risk.take_loss": ("{strategy}: P(loss) {p}", "{strategy}：亏损概率 {p}"),
    "risk.take_target": ("{strategy}: P(target) {p}", "{strategy}：达标概率 {p}"),
    "risk.take_downside": ("{strategy}: downside {v}", "{strategy}：下行情景 {v}"),
    "risk.fig_title": (
        "Outcomes over {n} replications (dots), downside case (black bar)",
        "{n} 次重复模拟的结果（点）与下行情景（黑线）",
    ),
    # python -m sim.plan budget
    "budget.heading": ("Budget split: {name}", "预算分配：{name}"),
    "budget.beats": (
        "{strategy} earns {diff} more incremental net profit over {months} months than {baseline} "
        "(paired, 95% interval, fresh seed), spending {spend} against a budget of {budget}.",
        "{strategy} 比 {baseline} 多赚 {months} 个月增量净利润 {diff}（配对，95% 区间，新随机种子），"
        "花费 {spend}，预算 {budget}。",
    ),
    "budget.worse": (
        "On a fresh seed {strategy} earns less than {baseline}: {diff} (paired, 95% interval); the search's pick did "
        "not hold. Spend {spend}, budget {budget}.",
        "新随机种子下 {strategy} 比 {baseline} 少赚：{diff}（配对，95% 区间）；搜索选出的方案未能复现。"
        "花费 {spend}，预算 {budget}。",
    ),
    "budget.over": (
        "On a fresh seed {strategy} spends {spend}, above the budget of {budget} (or above {baseline}'s spend when "
        "the budget is {baseline}'s); difference in incremental net profit against {baseline}: {diff}.",
        "新随机种子下 {strategy} 花费 {spend}，超出预算 {budget}（未给预算时即超出 {baseline} 的花费）；"
        "与 {baseline} 的增量净利润差：{diff}。",
    ),
    "budget.unclear": (
        "No clear difference: {strategy} against {baseline} {diff} (paired, 95% interval, fresh seed), spending "
        "{spend} against a budget of {budget}.",
        "无明显差异：{strategy} 相对 {baseline} {diff}（配对，95% 区间，新随机种子），花费 {spend}，预算 {budget}。",
    ),
    "budget.method": (
        "{n} lever mixes tried on common random numbers (Optuna TPE); the best within the budget, the line limits "
        "and the churn ceiling (trial {trial}) was then run against the baseline on a fresh seed, which gives the "
        "table. Spend: every acquisition line plus first-order subsidies, touches and membership discounts within "
        "the horizon.",
        "在相同随机数上试了 {n} 种杠杆组合（Optuna TPE）；在预算、分项上限与流失上限内最好的组合（第 {trial} 次）"
        "再以新随机种子与基线对比，得到下表。花费：周期内全部获客项，加首单补贴、触达与会员折扣。",
    ),
    "budget.col.metric": ("Metric", "指标"),
    "budget.col.best": ("Best mix", "最佳组合"),
    "budget.col.baseline": ("Baseline", "基线"),
    "budget.col.diff": ("Difference (95% interval)", "差值（95% 区间）"),
    "budget.col.line": ("Ledger line", "账目"),
    "budget.spend": ("Spend (horizon)", "花费（周期内）"),
    "budget.allocation": ("Spend by ledger line (fresh seed)", "分项花费（新随机种子）"),
    "budget.marginal": (
        "The next CNY 10,000 above {budget} adds {gain} of incremental net profit at best among the mixes tried.",
        "在 {budget} 之上再投入 1 万元，所试组合中最多可多得 {gain} 增量净利润。",
    ),
    "budget.marginal_none": (
        "No mix tried is within the limits, so the profit-vs-budget curve is empty.",
        "没有试过的组合满足限制，收益-预算曲线为空。",
    ),
    "budget.spend_axis": ("Spend within the horizon (CNY)", "周期内花费（元）"),
    "budget.take_allocation": ("Where the money goes: mean spend by line", "钱花在哪里：各项平均花费"),
    "budget.take_frontier": ("Next CNY 10k at the budget: {gain}", "预算处再投 1 万元：{gain}"),
    "budget.ok": ("mix within the limits", "满足限制的组合"),
    "budget.not_ok": ("over a limit or the churn ceiling", "超出上限或流失上限"),
    "budget.best_at": ("best found at or below this spend", "该花费以内的最佳组合"),
    "budget.budget_line": ("budget {budget}", "预算 {budget}"),
    # ---------------------------------------------------------------- python -m sim.plan staffing (issue 19)
    "fig.staffing_loss": ("Add requests lost", "加粉请求流失率"),
    "fig.staffing_delay": ("Mean greeting delay (hours)", "平均响应时长（小时）"),
    "fig.staffing_agents": ("Agents on duty", "在岗客服人数"),
    "fig.staffing_target": ("target", "目标"),
    "fig.staffing_chosen": ("chosen", "选定"),
    "take.staffing": (
        "{strategy}: agents on duty {agents} ({hours} h), WeCom accounts {accounts}: losses under {loss} "
        "and a mean greeting delay under {delay} h",
        "{strategy}：{hours} 时段 {agents} 名客服在岗、{accounts} 个企业微信账号，"
        "流失率低于 {loss}，平均响应时长低于 {delay} 小时",
    ),
    "take.staffing_none": (
        "No desk tried keeps losses under {loss} and the mean greeting delay under {delay} h",
        "所试方案均无法使流失率低于 {loss} 且平均响应时长低于 {delay} 小时",
    ),
    "staffing.title": ("Staffing the onboarding desk", "承接客服排班"),
    "staffing.targets": (
        "Targets: at most {loss} of add requests lost and a mean greeting delay (request to acceptance) of at most "
        "{delay} h, both judged by the upper end of their 95% interval over replications.",
        "目标：加粉请求流失率不超过 {loss}，平均响应时长（从请求到通过）不超过 {delay} 小时，"
        "均以各次重复的 95% 置信区间上限判断。",
    ),
    "staffing.col.strategy": ("Strategy", "策略"),
    "staffing.col.hours": ("Desk hours", "在岗时段"),
    "staffing.col.agents": ("Agents on duty", "在岗客服"),
    "staffing.col.accounts": ("WeCom accounts", "企业微信账号"),
    "staffing.col.loss": ("Requests lost [95% CI]", "请求流失率 [95% 区间]"),
    "staffing.col.delay": ("Mean greeting delay [95% CI]", "平均响应时长 [95% 区间]"),
    "staffing.col.cost": ("Total cost over the horizon", "周期内总成本"),
    "staffing.col.day": ("Day", "日期类型"),
    "staffing.col.date": ("Date", "日期"),
    "staffing.col.requests": ("Requests that day", "当日加粉请求"),
    "staffing.col.loss_at_chosen": ("Lost at the chosen desk", "选定方案下流失率"),
    "staffing.col.agents_needed": ("Agents that day needs", "当日所需客服"),
    "staffing.col.accounts_needed": ("Accounts that day needs", "当日所需账号"),
    "staffing.none": (
        "No desk tried meets the targets: try longer desk hours (--hours) or more agents (--max-agents).",
        "所试方案均未达标：可尝试延长在岗时段（--hours）或增加客服上限（--max-agents）。",
    ),
    "staffing.missing": (
        "No desk tried meets the targets for: {strategies}.",
        "以下策略在所试方案中均未达标：{strategies}。",
    ),
    "staffing.peak_title": ("Peak days", "大促高峰日"),
    "staffing.peak_intro": (
        "The busiest request days (after each seasonal order peak) against an ordinary day: the agents each day "
        "alone needs to meet the targets, and the WeCom accounts whose daily add limit covers that day's adds.",
        "大促订单高峰后的加粉请求高峰日与普通日对比：单日达标所需的客服人数，以及日加好友上限足以覆盖当日通过数的企业微信账号数。",
    ),
    "staffing.method": (
        "Method: every desk tried runs the experiment's replications on the same seed (common random numbers); "
        "agents are searched by doubling and bisection with the daily add limit lifted, then accounts at the agents "
        "found. A desk's cost is its agent-hours and its WeCom accounts (see the cost note above). With stationary "
        "arrivals, a round-the-clock desk and no add limit the desk is the Erlang-A (M/M/n+M) queue, and its losses "
        "and waits match the closed form in the test suite.",
        "方法：每个候选方案在相同随机种子下运行实验的全部重复（共同随机数）；先在不限日加好友数的条件下以倍增加二分法搜索客服人数，"
        "再在该人数下搜索账号数。方案成本为客服工时与企业微信账号之和（见上文成本说明）。到达平稳、全天在岗且不限加好友数时，"
        "承接台即 Erlang-A（M/M/n+M）排队，其流失率与等待时间在测试中与解析公式一致。",
    ),
    # ---------------------------------------------------------------- python -m sim.plan abtest (issue 19)
    "abtest.metric.revenue_90d_cny": ("90-day revenue per member", "新成员 90 天私域收入"),
    "abtest.unit.card": ("cards", "张包裹卡"),
    "abtest.unit.sms": ("SMS", "条短信"),
    "abtest.unit.member": ("new members", "位新成员"),
    "abtest.title": ("Sizing the real A/B test", "真实 A/B 测试需要多大"),
    "abtest.intro": (
        "{metric}, one unit = one of the {unit}; a two-sided {test} at significance {alpha} with power {power}. "
        "Means, variances, volumes and costs per unit are what the simulation predicts; the traffic is split evenly "
        "between the two arms.",
        "指标：{metric}，每个单位为一{unit}；双侧{test}，显著性水平 {alpha}，检验功效 {power}。"
        "均值、方差、日流量和单位成本均为模拟的预测值；流量在两组之间平均分配。",
    ),
    "abtest.test.share": ("two-proportion score test", "两比例 score 检验"),
    "abtest.test.mean": ("Welch t-test", "Welch t 检验"),
    "abtest.col.pair": ("A → B", "A → B"),
    "abtest.col.mean_a": ("A", "A"),
    "abtest.col.mean_b": ("B", "B"),
    "abtest.col.effect": ("B − A [95% interval]", "B − A [95% 区间]"),
    "abtest.col.n_per_arm": ("units per arm", "每组样本量"),
    "abtest.col.days": ("days of volume", "所需天数"),
    "abtest.col.cost": ("test cost", "测试成本"),
    "abtest.col.empirical": ("simulated power ± 95%", "模拟检验功效 ± 95%"),
    "abtest.pp": ("{pp} pp", "{pp} 个百分点"),
    "abtest.days": ("{days} days", "{days} 天"),
    "abtest.note": ("Note ({a} vs {b}): {note}.", "注（{a} 对 {b}）：{note}。"),
    "abtest.mde.title": ("What a budget can detect", "给定预算能检测到的最小效应"),
    "abtest.mde.line": (
        "{budget} ({a}: {n_a}, {b}: {n_b} {unit}, {days}): smallest detectable rise {mde} ({relative} of A); "
        "the predicted effect is {verdict}.",
        "预算 {budget}（{a}：{n_a}，{b}：{n_b} {unit}，{days}）：最小可检测提升 {mde}（A 的 {relative}）；"
        "预测效应{verdict}。",
    ),
    "abtest.mde.yes": ("detectable", "可以检测到"),
    "abtest.mde.no": ("not detectable", "检测不到"),
    "abtest.holdout.title": ("Holdout to measure cannibalisation", "测量订单替代率所需的对照组（holdout）"),
    "abtest.holdout.formula": (
        "Cannibalised share c = (Y_h − Y_t) / P_t: platform orders per buyer in a holdout without capture less those "
        "of the treated buyers, per private order of the treated buyers (the private share of the members' "
        "repurchases is the same contrast). Var(c) = (var_h / n_h + var_t / n_t) / P_t²; the holdout is the least "
        "n_h with z·sqrt(Var(c)) ≤ margin.",
        "订单替代率 c = (Y_h − Y_t) / P_t：不做引流的对照组每位买家的平台订单数，减去实验组的，再除以实验组每位买家的"
        "私域订单数（成员复购的私域占比是同一个对比）。Var(c) = (var_h / n_h + var_t / n_t) / P_t²；"
        "对照组大小取满足 z·sqrt(Var(c)) ≤ 误差范围 的最小 n_h。",
    ),
    "abtest.holdout.line": (
        "{strategy}: cannibalised share {value}, margin ±{margin}: {result} A 50/50 split needs {buyers} buyers "
        "({horizons} × the horizon's buyers).",
        "{strategy}：订单替代率 {value}，误差范围 ±{margin}：{result}五五分组需要 {buyers} 位买家"
        "（本周期买家数的 {horizons} 倍）。",
    ),
    "abtest.holdout.ok": (
        "a holdout of {n} buyers ({share} of the horizon's buyers).",
        "对照组 {n} 位买家（占本周期买家的 {share}）。",
    ),
    "abtest.holdout.none": (
        "no split of the horizon's buyers is enough (the best reaches ±{best}).",
        "本周期的买家无论如何分组都不够（最好也只能达到 ±{best}）。",
    ),
    "abtest.check.title": ("Check: the test simulated many times", "验证：多次模拟这项测试"),
    "abtest.check.summary": (
        "Each check draws units from the simulated distributions (Bernoulli at each arm's rate; revenue resampled "
        "from the simulated members), applies the test {reps} times and counts rejections. {within} of {total} "
        "checks are within ±3 points of the nominal power.",
        "每项验证按模拟的分布抽取单位（比例按各组概率做伯努利抽样；收入从模拟成员中重抽样），执行 {reps} 次检验并统计"
        "拒绝次数。{total} 项中有 {within} 项与名义功效相差不超过 ±3 个百分点。",
    ),
    "abtest.check.line": (
        "{design}, {factor} × size ({n_a} / {n_b}): nominal power at that size {nominal}, simulated {empirical} "
        "(SE {se}): {verdict}",
        "{design}，{factor} 倍样本（{n_a} / {n_b}）：该样本量下名义功效 {nominal}，"
        "模拟 {empirical}（标准误 {se}）：{verdict}",
    ),
    "abtest.check.size": (
        "Both arms drawn from A (no effect): rejected {rate} of the time (SE {se}), against the significance level.",
        "两组都按 A 抽取（无效应）：拒绝率 {rate}（标准误 {se}），应接近显著性水平。",
    ),
    "abtest.check.ok": ("within ±3 points", "在 ±3 个百分点内"),
    "abtest.check.off": ("OFF by more than 3 points", "偏差超过 3 个百分点"),
    "abtest.design.predicted": ("predicted effect", "预测效应"),
    "abtest.design.mde": ("budget at its MDE", "预算及其最小可检测效应"),
    "abtest.fig.pair": ("{a} vs {b}", "{a} 对 {b}"),
    "abtest.fig.empirical": ("simulated test (95% bar)", "模拟检验（95% 区间）"),
    "abtest.fig.x": ("{unit} per arm (log scale)", "每组样本量（{unit}，对数刻度）"),
    "abtest.fig.y": ("power", "检验功效"),
    "abtest.fig.take": (
        "{metric}: {n} per arm give {power} power; the simulated test reaches {empirical}",
        "{metric}：每组 {n} 个单位可达 {power} 功效；模拟检验为 {empirical}",
    ),
    "abtest.fig.no_effect": ("No predicted difference: no sample size detects it", "预测无差异：任何样本量都检测不到"),
    # ---------------------------------------------------------------- plan19b: staffing costs accounts, campaign days
    "fig.staffing_headroom": ("headroom to the target", "距目标余量"),
    "staffing.col.agent_cost": ("Agent cost", "客服成本"),
    "staffing.col.accounts_opened": ("Accounts opened", "新开账号数"),
    "staffing.col.account_cost": ("Account cost", "账号成本"),
    "staffing.cost_note": (
        "Cost over the horizon: agent-days (a campaign's extra agents included) at the config's cost per agent-day, "
        "scaled by the desk's open hours, plus every WeCom account the desk uses, those it starts with and those "
        "opened as others fill (mean over replications), at onboarding.new_account_cost_cny each.",
        "周期内成本：客服人天（含活动期间增加的客服）按配置的每人每天成本并按在岗时长折算，加上方案用到的全部企业微信账号"
        "（初始账号与账号加满后新开的账号，取各次重复的平均）乘以 onboarding.new_account_cost_cny。",
    ),
    "staffing.calendar_title": ("Campaign days", "活动日"),
    "staffing.calendar_intro": (
        "Every day of the campaign calendar at the chosen desk (staffing_calendar.csv has each day): agents on duty "
        "(the campaign's extra agents included), the busiest day, the worst day's losses and mean greeting delay "
        "(means over replications), the days whose upper 95% bounds meet the targets, and the most WeCom accounts a "
        "day needs (the daily add limit covering the day's adds at the same agents, with the limit lifted).",
        "选定方案在活动日历每一天的表现（staffing_calendar.csv 逐日列出）：在岗客服（含活动增加的客服）、"
        "请求最多的一天、最差一天的流失率与平均响应时长（各次重复的平均）、95% 区间上限达标的天数，"
        "以及单日最多所需的企业微信账号数（同样客服人数、不限日加好友数时，日上限足以覆盖当日通过数）。",
    ),
    "staffing.col.campaign_days": ("Campaign days", "活动日期"),
    "staffing.col.agents_on_duty": ("Agents on duty", "在岗客服"),
    "staffing.col.busiest_day": ("Busiest day: requests", "请求最多的一天：请求数"),
    "staffing.col.worst_loss": ("Worst day lost", "最差日流失率"),
    "staffing.col.worst_delay": ("Worst day delay", "最差日响应时长"),
    "staffing.col.days_met": ("Days meeting the targets", "达标天数"),
    "staffing.col.accounts_needed_max": ("Most accounts a day needs", "单日最多所需账号"),
    # ---------------------------------------------------------------- issue 17: touch channels and groups
    "line.touch_team": ("touch team and live streams", "私域运营人力与直播"),
    "metric.touch_team_utilisation": ("Touch team utilisation", "私域运营人力利用率"),
    "metric.groups_opened": ("Groups opened", "开设社群数"),
    "metric.group_members": ("Members in groups", "入群成员数"),
    "metric.group_active_share": ("Group active share", "社群活跃占比"),
    "metric.orders_from_chat": ("Orders from 1:1 chat", "一对一私聊带来的订单"),
    "metric.orders_from_moments": ("Orders from moments", "朋友圈带来的订单"),
    "metric.orders_from_groups": ("Orders from groups", "社群带来的订单"),
    "metric.orders_from_live": ("Orders from live streams", "直播带来的订单"),
    "unit.groups": ("groups", "个群"),
    "caption.channels": (
        "Touch channels by strategy: {months}-month LTV, monthly churn and incremental net profit with their 95% "
        "intervals over replications; the added orders credited to each channel (1:1 chat, moments, groups, live "
        "streams; means over replications); and, where groups run, their mean active share by day.",
        "各策略的触达渠道：{months}个月 LTV、月流失率与增量净利润（含重复模拟的 95% 区间）；"
        "各渠道（一对一私聊、朋友圈、社群、直播）带来的增量订单（重复模拟均值）；有社群时，社群逐日的平均活跃占比。",
    ),
    "fig.channels_title": (
        "Touch channels: what each earns, and what it does to churn",
        "触达渠道：各赚多少，对流失有何影响",
    ),
    "fig.channel_orders_axis": ("added orders credited to each channel", "各渠道带来的增量订单"),
    "fig.group_active_share": ("groups' active share", "社群活跃占比"),
    "take.channel_orders": ("{strategy} adds the most orders", "{strategy} 带来的增量订单最多"),
    "take.group_activity": (
        "groups go quiet unless events feed them",
        "没有活动维系，社群会逐渐不活跃",
    ),
    "lever.touch.staff_hours_per_day": ("touch team hours a day", "私域运营每日工时"),
    "lever.touch.chat.touches_per_week": ("1:1 chats per week", "每周一对一私聊次数"),
    "lever.touch.chat.segments": ("1:1 chat segments", "一对一私聊人群"),
    "lever.touch.moments.posts_per_week": ("moments posts per week", "每周朋友圈条数"),
    "lever.touch.groups.enabled": ("customer groups", "社群"),
    "lever.touch.groups.messages_per_week": ("group messages per week", "每周社群消息数"),
    "lever.touch.live.streams_per_week": ("live streams per week", "每周直播场次"),
    "value.lottery": ("lottery (抽奖)", "抽奖"),
    "lever.referral.lottery_win_prob": ("抽奖 win chance per ticket", "抽奖每张券中奖概率"),
    "lever.referral.lottery_prize_cny": ("抽奖 prize (CNY)", "抽奖奖品（元）"),
    # ---------------------------------------------------------------- issue 17: the LTV window (accounting.ltv_months)
    **{
        key: (en.format(m=m), zh.format(m=m))
        for m in (24, 36)
        for key, en, zh in (
            (f"metric.incremental_net_profit_{m}m", "Incremental net profit ({m} months)", "{m}个月增量净利润"),
            (f"metric.net_profit_{m}m", "Net profit ({m} months, gross)", "{m}个月净利润（毛）"),
            (f"metric.ltv_{m}m", "LTV ({m} months, gross)", "{m}个月 LTV（毛）"),
            (f"total.ltv_{m}m", "LTV, {m} months (gross)", "{m}个月 LTV（毛）"),
        )
    },
    "assume.touch_channels": (
        "touch channels: 1:1 chat, moments, groups, live streams",
        "触达渠道：一对一私聊、朋友圈、社群、直播",
    ),
    "source.touch_channels": (
        "the seeds name 1:1 chat, moments, groups that go quiet over time (逐渐群内就开始不活跃) and live streams "
        "without numbers; a WeCom customer group holds up to 500 members (ab173.com jiaocheng 2349); every response "
        "is an assumption",
        "原文提到一对一私聊、朋友圈、逐渐不活跃的社群与直播，但没有数字；企业微信客户群上限 500 人"
        "（ab173.com jiaocheng 2349）；各渠道的响应均为假设",
    ),
    "metric.interaction_rate": ("Content interaction rate (seen or attended)", "内容互动率（看到或参加）"),
    # ---------------------------------------------------------------- staffing-schedule: agents per day, accounts
    "staffing.schedule_title": ("Day-by-day schedule", "逐日排班"),
    "staffing.schedule_intro": (
        "Per day, the fewest agents on duty (one shift a day: the desk's hours; a campaign's extra agents included) "
        "whose upper 95% bounds of losses and mean greeting delay meet the targets over the day's load class (the "
        "days of like requests and the same extra agents, pooled: one day's bounds rest on too few requests), and "
        "WeCom accounts opened on the first day their daily add limit is needed; then the whole schedule run once "
        "more on the same seed (a backlog carries over between days), raising the classes that miss. The table gives "
        "that verification run (mean, with the upper 95% bound) and the schedule's cost against the single year "
        "plan's (staffing_schedule.csv has every day and its load class).",
        "逐日求出在岗客服最少人数（每天一个班次，即接待时段；含活动增加的客服），使当天所属负荷档（请求量相近且活动"
        "加派客服相同的日子合并计算：单日请求太少，区间过宽）的流失率与平均响应时长 95% 区间上限达标，并在首次需要"
        "其日加好友上限的那天新开企业微信账号；再用同一随机种子把整份排班完整运行一次（积压会延续到次日），对未达标"
        "的负荷档加人后复核。下表为复核结果（均值，括号内为 95% 上限），以及排班成本与全年单一方案成本的对比"
        "（staffing_schedule.csv 逐日列出，并注明负荷档）。",
    ),
    "staffing.col.loss_upper": ("Requests lost (≤ upper 95% bound)", "请求流失率（≤ 95% 上限）"),
    "staffing.col.delay_upper": ("Mean greeting delay (≤ upper 95% bound)", "平均响应时长（≤ 95% 上限）"),
    "staffing.col.year_met": ("Year meets targets", "全年达标"),
    "staffing.col.agent_days": ("Agent-days", "客服人天"),
    "staffing.col.accounts_used": ("WeCom accounts used (as others fill too)", "使用的企业微信账号（含加满后新开）"),
    "staffing.col.year_plan_cost": ("Year plan cost", "全年方案成本"),
    "staffing.yes": ("yes", "是"),
    "staffing.no": ("no", "否"),
    "fig.schedule_requests": ("Add requests a day", "每日加好友请求"),
    "fig.schedule_agents": ("Agents on duty", "在岗客服"),
    "fig.schedule_accounts": ("WeCom accounts", "企业微信账号"),
    "fig.schedule_missed": ("Day whose load class misses the targets", "所属负荷档未达标的日子"),
    "fig.schedule_count": ("Agents, accounts", "客服、账号数"),
    "take.schedule": (
        "The least agents each day and WeCom accounts over the calendar that meet the targets, verified",
        "逐日达标所需最少客服与企业微信账号（已复核）",
    ),
    # ---------------------------------------------------------------- issue 18, parameter uncertainty
    "uncertainty.note": (
        "Parameter uncertainty (run.parameter_uncertainty=true): each replication drew the calibrated repeat-buying "
        "and spend parameters once from their sampling distribution and ran every strategy and the control arm on "
        "that draw. Every interval here is therefore the 2.5–97.5% percentile interval over the replications (where "
        "the outcome falls, given what the data could not pin down), not an interval of the mean: it does not "
        "shrink with more replications. A winner is named when the paired difference has the same sign in at least "
        "97.5% of the replications. Run at least 39 replications: with n fewer, the interval is the range of the n "
        "values, which holds a further replication with probability (n − 1)/(n + 1) only.",
        "参数不确定性（run.parameter_uncertainty=true）：每次重复模拟先从校准参数（复购与客单价）的抽样分布中抽取一组参数，"
        "所有策略与对照组都使用这组参数。因此本报告中的区间均为各次重复模拟结果的 2.5%–97.5% 百分位区间"
        "（在数据无法确定参数的情况下结果可能落入的范围），而不是均值的置信区间，不会因增加重复次数而变窄。"
        "只有当配对差异在至少 97.5% 的重复模拟中同号时才判定胜者。请至少运行 39 次重复模拟：次数 n 更少时，区间即 n 个"
        "结果的最小值到最大值，下一次重复模拟落入其中的概率仅为 (n − 1)/(n + 1)。",
    ),
    # ---------------------------------------------------------------- shifts: several shifts a day (issue 19)
    "fig.shifts_hour": ("Hour of the day", "一天中的时刻"),
    "take.shifts": (
        "{strategy}: the fewest agents per shift that meet the targets: {plan}",
        "{strategy}：各班次达标所需最少客服：{plan}",
    ),
    "take.shifts_none": (
        "No agents per shift tried meet the targets",
        "所试各班次人数均无法达标",
    ),
    "staffing.shifts_title": ("Shifts", "班次"),
    "staffing.shifts_intro": (
        "The chosen plan shift by shift (onboarding.shifts). A request counts for the shift that serves it first: the "
        "one on duty when it is made, or the next to start. Each shift's agents are the fewest whose upper 95% bounds "
        "of its losses and mean greeting delay meet the targets, verified together on the same seed (a backlog left "
        "at a shift's end waits for the next); staffing_shifts.csv has every shift of every desk tried.",
        "选定方案的逐班次结果（onboarding.shifts）。每条请求计入最先接待它的班次：提出时在岗的班次，"
        "或下一个开始的班次。各班次客服为使该班次流失率与平均响应时长的 95% 区间上限达标的最少人数，"
        "并用同一随机种子一起复核（班次结束时的积压留给下一班次）；staffing_shifts.csv 列出所试每个方案的每个班次。",
    ),
    "staffing.col.shift": ("Shift", "班次"),
    "staffing.col.shift_requests": ("Requests it serves first", "首先接待的请求"),
    # ------------------------------------------------------ risk: which uncertainty the chances hold (issue 19)
    "risk.parameters.fixed": (
        "The model's parameters are the same in every replication, so the chances hold the buyers' luck but not "
        "what the calibration could not pin down; with a population written by python -m sim.calibrate, "
        "run.parameter_uncertainty=true (or --parameter-draws) adds it.",
        "每次重复模拟使用同一组模型参数，因此概率只包含买家的随机性，不包含校准数据无法确定的部分；"
        "若人群参数由 python -m sim.calibrate 校准得到，可设 run.parameter_uncertainty=true"
        "（或 --parameter-draws）将其计入。",
    ),
    "risk.parameters.calibrated": (
        "Each replication first drew the calibrated parameters from their sampling distribution "
        "(run.parameter_uncertainty=true), so the chances also hold what the data could not pin down.",
        "每次重复模拟先从校准参数的抽样分布中抽取一组参数（run.parameter_uncertainty=true），"
        "因此概率也包含数据无法确定的部分。",
    ),
    "risk.parameters.draws": (
        "Each replication ran with its own row of the parameter draws (--parameter-draws), so the chances also hold "
        "the parameters' uncertainty as those draws describe it.",
        "每次重复模拟使用参数抽样表（--parameter-draws）中各自的一行参数，因此概率也包含这些抽样所描述的参数不确定性。",
    ),
    # ---------------------------------------------------------------- issue 19: the day-by-day schedule per shift
    "staffing.schedule_shifts_intro": (
        "With shifts the schedule is per shift and day: each shift's fewest agents on the requests it serves first "
        "(the one on duty when a request is made, or the next to start), judged over the shift's load class of that "
        "day, verified together on the same seed. Shift by shift over the horizon (staffing_schedule.csv has a row "
        "per day and shift; a day's own worst bounds can exceed a target its class meets):",
        "有多个班次时按班次逐日排班：每个班次在首先由它接待的请求（提出时在岗的班次，或下一个开始的班次）上，"
        "按该班次当天所属负荷档求最少客服，再用同一随机种子一起复核。各班次在整个周期内的汇总如下"
        "（staffing_schedule.csv 每天每班次一行；单日自身的最差上限可能高于其负荷档已达到的目标）：",
    ),
    "staffing.col.agents_range": ("Agents a day (fewest–most)", "每日客服（最少–最多）"),
    "staffing.col.worst_loss_upper": ("Worst day: requests lost, upper 95% bound", "最差一天：流失率 95% 上限"),
    "staffing.col.worst_delay_upper": (
        "Worst day: mean greeting delay, upper 95% bound",
        "最差一天：平均响应时长 95% 上限",
    ),
    "fig.schedule_shift_agents": ("Agents on duty: {shift}", "在岗客服：{shift}"),
    "fig.schedule_shift_missed": ("Shift-day whose load class misses the targets", "所属负荷档未达标的班次与日子"),
}
