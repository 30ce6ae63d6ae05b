/**
 * The chat's stylesheet, inlined into each chat page (the page CSP allows inline styles, no other
 * origin). Mobile first: one column that fits a 375 px phone, centred and wider on a laptop; touch
 * targets of at least 44 px; inputs at 16 px so phones do not zoom.
 */
export const chatStylesheet = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;background:#eef0f4;color:#1d2330}
a{color:#1f4fd1}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f5a524;outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.chat{display:flex;flex-direction:column;min-height:100vh;min-height:100dvh;max-width:46rem;margin:0 auto;background:#f7f8fa}
.chat-header{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#fff;border-bottom:1px solid #dde1e8}
.chat-header h1{font-size:1.05rem;margin:0;flex:1 1 auto;min-width:0}
.chat-header .who{display:block;font-weight:400;font-size:.85rem;color:#5b6475;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.chat-header form{margin:0}
.lang{display:flex;gap:.5rem;font-size:.85rem}
.lang a[aria-current]{font-weight:600;color:#1d2330;text-decoration:none}
.log{flex:1 1 auto;list-style:none;margin:0;padding:1rem .75rem;display:flex;flex-direction:column;gap:.75rem}
.msg{display:flex;flex-direction:column;max-width:100%}
.msg-user{align-items:flex-end}
.msg-bot{align-items:flex-start}
.msg .meta{font-size:.75rem;color:#6b7384;margin:0 .25rem .15rem}
.bubble{background:#2554d6;color:#fff;border-radius:14px 14px 4px 14px;padding:.5rem .8rem;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere}
.empty{color:#5b6475;text-align:center;margin:2rem 1rem}
.composer{position:sticky;bottom:0;display:flex;gap:.5rem;padding:.6rem .75rem calc(.6rem + env(safe-area-inset-bottom));background:#fff;border-top:1px solid #dde1e8}
.composer input{flex:1 1 auto;min-width:0}
.notice{font-size:.85rem;color:#5b6475;padding:0 1rem}
.status{font-size:.85rem;color:#b42318;padding:0 1rem;min-height:0}
input,select,textarea{font:inherit;font-size:16px;color:inherit;background:#fff;border:1px solid #b8bfcc;border-radius:8px;padding:.5rem .6rem;min-height:44px;max-width:100%}
textarea{width:100%;min-height:5rem;resize:vertical}
input[type=checkbox],input[type=radio]{min-height:0;width:1.15rem;height:1.15rem;margin:0 .5rem 0 0;vertical-align:-.15rem}
button,.btn{display:inline-flex;align-items:center;justify-content:center;gap:.4rem;font:inherit;font-size:.95rem;min-height:44px;padding:.45rem 1rem;border-radius:8px;border:1px solid #b8bfcc;background:#fff;color:#1d2330;cursor:pointer;text-decoration:none;line-height:1.2;text-align:center}
button:disabled,button[aria-busy=true]{opacity:.55;cursor:progress}
.btn-primary{background:#2554d6;border-color:#2554d6;color:#fff}
.btn-danger{background:#c2321f;border-color:#c2321f;color:#fff}
.btn-link{border-style:dashed}
.card{width:100%;max-width:34rem;background:#fff;border:1px solid #dde1e8;border-left:4px solid #5b6475;border-radius:10px;padding:.75rem .9rem;box-shadow:0 1px 2px #0000000f;overflow-wrap:anywhere}
.card.tone-info{border-left-color:#2554d6}
.card.tone-success{border-left-color:#1b873f}
.card.tone-warning{border-left-color:#c27c0e}
.card.tone-danger{border-left-color:#c2321f}
.card-title{font-size:1.02rem;font-weight:600;margin:0}
.card-subtitle{font-size:.85rem;color:#5b6475;margin:.1rem 0 0}
.card-body{display:flex;flex-direction:column;gap:.6rem;margin-top:.6rem}
.card p{margin:0}
.card .md p+p,.card .md ul,.card .md ol,.card .md blockquote{margin:.4rem 0 0}
.card .md ul,.card .md ol{padding-left:1.3rem}
.card .md blockquote{border-left:3px solid #dde1e8;padding-left:.6rem;color:#3d4555}
.card code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f6;border-radius:4px;padding:0 .25rem}
.card .plain{white-space:pre-wrap}
.fields{display:grid;grid-template-columns:minmax(6rem,max-content) 1fr;gap:.2rem .8rem;margin:0}
.fields dt{color:#5b6475;font-size:.88rem}
.fields dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.card hr{border:0;border-top:1px solid #e4e7ec;margin:.1rem 0;width:100%}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-start}
.actions form{margin:0}
.field{display:flex;flex-direction:column;gap:.25rem;border:0;margin:0;padding:0;min-width:0}
.field>label,.field>legend{font-size:.9rem;font-weight:600;padding:0}
.field .req{color:#c2321f}
.choices{display:flex;flex-direction:column;gap:.3rem}
.choices label{display:flex;align-items:center;min-height:36px;font-weight:400}
.person select{width:100%}
.person input[type=search]{width:100%}
.card-form{display:flex;flex-direction:column;gap:.6rem;margin:0}
.submits{display:flex;flex-wrap:wrap;gap:.5rem}
details.confirm{display:inline-block;max-width:100%}
details.confirm>summary{list-style:none}
details.confirm>summary::-webkit-details-marker{display:none}
details.confirm[open]>summary{opacity:.6}
.confirm-box{margin-top:.5rem;padding:.6rem .7rem;border:1px solid #e6b3ab;background:#fff7f5;border-radius:8px;display:flex;flex-direction:column;gap:.5rem}
.confirm-box strong{font-size:.95rem}
.confirm-row{display:flex;flex-wrap:wrap;gap:.5rem}
.fallback{font-size:.8rem;color:#5b6475;white-space:pre-wrap}
.signin{max-width:34rem;margin:2rem auto;padding:1.25rem 1.4rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
.signin h1{font-size:1.3rem;margin:0 0 .75rem}
.signin h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.signin p{margin:.5rem 0}
.signin code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f6;border-radius:4px;padding:.1rem .3rem;overflow-wrap:anywhere}
.people{list-style:none;margin:.75rem 0 0;padding:0;display:grid;gap:.5rem}
.people button{width:100%;justify-content:space-between;text-align:left}
.people .pos{color:#5b6475;font-size:.85rem}
.inline-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.inline-form label{display:flex;flex-direction:column;font-size:.9rem;font-weight:600;gap:.25rem}
.preview{max-width:36rem;margin:0 auto;padding:1rem .75rem}
@media (min-width:48rem){.chat{border-left:1px solid #dde1e8;border-right:1px solid #dde1e8}.log{padding:1.25rem 1.5rem}.chat-header{padding:.75rem 1.5rem}.composer{padding:.75rem 1.5rem}}
@media (max-width:30rem){.signin{margin:0;border-radius:0;min-height:100vh}.fields{grid-template-columns:1fr}.fields dd{margin-bottom:.3rem}.bubble{max-width:92%}}
`.trim();
