"""The inline style and script of a result report's page (``result_html``).

The style is the portfolio report's (``report_html.STYLE``) and the additions of the charts;
the script gives the hover read-outs, reading the data embedded in the page (``#report-data``):
nothing is fetched, so the page works from ``file://``. Both are allowed by their SHA-256 in the
page's Content-Security-Policy (``report_html.page_policy``). The script only sets attributes
and text (no inline style, no HTML from data).
"""

from __future__ import annotations

from paperdesk.service.report_html import STYLE as REPORT_STYLE

CHART_WIDTH = 1000
EQUITY_HEIGHT, DRAWDOWN_HEIGHT, HISTOGRAM_HEIGHT = 260, 110, 160

RESULT_STYLE = """
.readout{font-size:.85rem;font-variant-numeric:tabular-nums;min-height:1.3rem;margin:.2rem 0}
.crosshair{stroke:var(--muted);stroke-width:1;stroke-dasharray:4 3}
svg.histogram{height:10rem}
.bar-win{fill:var(--good)}.bar-loss{fill:var(--bad)}.bar-mixed{fill:var(--accent)}
svg.histogram rect:hover,svg.histogram rect:focus{opacity:.75}
.heat td{text-align:center;min-width:3.2rem;cursor:default}
.heat th:first-child,.heat td:first-child{text-align:left}
.heat td[data-month]:focus{outline:2px solid var(--accent);outline-offset:-2px}
.heat-p1{background:rgba(17,132,91,.12)}.heat-p2{background:rgba(17,132,91,.25)}
.heat-p3{background:rgba(17,132,91,.4)}.heat-p4{background:rgba(17,132,91,.6)}
.heat-n1{background:rgba(200,41,59,.12)}.heat-n2{background:rgba(200,41,59,.25)}
.heat-n3{background:rgba(200,41,59,.4)}.heat-n4{background:rgba(200,41,59,.6)}
.outcomes td.bar-cell{width:60%}
svg.outcome{height:.9rem}
.outcome rect{fill:var(--accent)}
.warnings{border:2px solid var(--bad);border-radius:.5rem;padding:.2rem 1rem;margin:1rem 0}
.warnings h2{color:var(--bad)}
.kind{font-size:.75rem;border:1px solid rgba(255,255,255,.7);border-radius:1rem;padding:.1rem .6rem}
""".strip()

STYLE = REPORT_STYLE + "\n" + RESULT_STYLE

SCRIPT = """
(function(){var node=document.getElementById("report-data");if(!node)return;
var data=JSON.parse(node.textContent),points=data.equity||[],n=points.length;
var DASH="\\u2014",DOT=" \\u00b7 ";
function num(v,d){if(v===null||v===undefined)return DASH;
return Number(v).toLocaleString("en-US",{minimumFractionDigits:d,maximumFractionDigits:d})}
function when(t){return t?t.slice(0,10)+" "+t.slice(11,16)+" UTC":DASH}
function track(name,say){var svg=document.querySelector('svg[data-chart="'+name+'"]');
var out=document.getElementById(name+"-readout");if(!svg||!out||!n)return;
var v=svg.querySelector(".crosshair"),width=Number(svg.getAttribute("data-width"));
function show(e){var box=svg.getBoundingClientRect();if(!box.width)return;
var f=Math.min(1,Math.max(0,(e.clientX-box.left)/box.width)),i=Math.round(f*(n-1)),
x=n>1?i*width/(n-1):width/2;v.setAttribute("x1",x);v.setAttribute("x2",x);
v.setAttribute("visibility","visible");out.textContent=when(points[i].time)+DOT+say(points[i])}
svg.addEventListener("pointermove",show);svg.addEventListener("pointerdown",show);
svg.addEventListener("pointerleave",function(){v.setAttribute("visibility","hidden")})}
track("equity",function(p){return"equity "+num(p.equity,2)+DOT+"peak "+num(p.peak,2)});
track("drawdown",function(p){return"drawdown "+(p.drawdown===null?DASH:num(p.drawdown,2)+"%")});
function hover(selector,readout,say){var out=document.getElementById(readout);if(!out)return;
Array.prototype.forEach.call(document.querySelectorAll(selector),function(el){
function show(){out.textContent=say(el)}el.addEventListener("pointerenter",show);
el.addEventListener("focus",show)})}
hover("[data-month]","monthly-readout",function(el){var r=el.getAttribute("data-return");
return el.getAttribute("data-month")+": "+(r?num(r,2)+"%":DASH)+DOT+"P&L "+
num(el.getAttribute("data-pnl"),2)});
hover("rect[data-count]","histogram-readout",function(el){return"P&L "+num(el.getAttribute(
"data-low"),2)+" to "+num(el.getAttribute("data-high"),2)+": "+el.getAttribute("data-count")+
" trade(s)"})})();
""".strip()

__all__ = [
    "CHART_WIDTH",
    "DRAWDOWN_HEIGHT",
    "EQUITY_HEIGHT",
    "HISTOGRAM_HEIGHT",
    "SCRIPT",
    "STYLE",
]
