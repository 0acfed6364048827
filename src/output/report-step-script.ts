/**
 * The step-through player's script, run in report.html (plain ES2020, no library, nothing
 * fetched). It reads the step data (`<script type="application/json" id="step-data">`, made by
 * report-step.ts), the arrows of the ladder by their `data-arrow` ids and the topology's node
 * names, and replays the node state records with `replayNodeState` (node-state.ts), embedded by
 * its source text so that the page runs the code the tests run.
 */
import { replayNodeState } from './node-state.js';

const PLAYER = String.raw`
(function(){
  var dataEl=document.getElementById('step-data');
  if(!dataEl)return;
  var D=JSON.parse(dataEl.textContent);
  var steps=D.steps,N=steps.length;
  var $=function(id){return document.getElementById(id);};
  var panel=$('step-panel'),bar=$('step-bar'),scrub=$('step-scrub'),pos=$('step-pos'),speedSel=$('step-speed'),playBtn=$('step-play');
  scrub.max=String(Math.max(0,N-1));
  var els=steps.map(function(s){return document.querySelector('[data-arrow="'+s.arrow+'"]');});
  var stepOfArrow={};steps.forEach(function(s,i){stepOfArrow[s.arrow]=i;});
  var cur=-1,following=null,timer=null;
  // Node state: the snapshot after 'applied' changes; going back replays from the start.
  var snap={},applied=0;
  function stateAt(count){
    if(count<applied){snap={};applied=0;}
    replay(snap,D.states,applied,count);applied=count;return snap;
  }
  function h(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
  function fmtT(us){var sg=us<0?'-':'+';us=Math.abs(us);var f=String(us%1000000);while(f.length<6)f='0'+f;return sg+Math.floor(us/1000000)+'.'+f+'s';}
  function fmtDur(us){return (us/1000).toFixed(3)+' ms';}
  function link(i,text){var a=h('a','step-link',text||('step '+(i+1)));a.href='#step-'+(i+1);a.addEventListener('click',function(e){e.preventDefault();go(i);});return a;}
  // The topology: the hop drawn over it, in the section and in the panel's copy.
  var topo=document.querySelector('#topology svg');
  var mini=$('step-topology');
  if(topo&&mini){var c=topo.cloneNode(true);c.removeAttribute('width');c.removeAttribute('height');mini.appendChild(c);}
  function nodeSpot(svg,id){
    var ts=svg.querySelectorAll('text.id');
    for(var i=0;i<ts.length;i++)if(ts[i].textContent===id)return {x:+ts[i].getAttribute('x'),y:+ts[i].getAttribute('y')+12};
    return null;
  }
  var NS='http://www.w3.org/2000/svg';
  function drawHop(svg,s){
    var old=svg.querySelector('g.step-hop');if(old)old.remove();
    if(!s)return;
    var g=document.createElementNS(NS,'g');g.setAttribute('class','step-hop'+(s.end?' ended':''));
    var a=nodeSpot(svg,s.from),b=nodeSpot(svg,s.to);
    [a,b].forEach(function(p,k){if(!p)return;var r=document.createElementNS(NS,'rect');r.setAttribute('x',p.x-80);r.setAttribute('y',p.y-35);r.setAttribute('width',160);r.setAttribute('height',70);r.setAttribute('rx',10);r.setAttribute('class',k===0?'from':'to');g.appendChild(r);});
    if(a&&b){var l=document.createElementNS(NS,'line');l.setAttribute('x1',a.x);l.setAttribute('y1',a.y);l.setAttribute('x2',b.x);l.setAttribute('y2',b.y);g.appendChild(l);}
    svg.appendChild(g);
  }
  // The arrow's frame: its tooltip, whose first lines are the summary and the rest the frame.
  function frameOf(el){
    if(!el)return null;
    var t=el.querySelector(':scope > title')||el.querySelector('title');
    if(!t)return null;
    var all=t.textContent,cut=all.indexOf('\n\n');
    return cut<0?'':all.slice(cut+2);
  }
  function uriList(parent,label,uris,marked,cls){
    var p=h('div','paths');p.appendChild(h('span','k',label));
    if(uris.length===0)p.appendChild(h('span','none','(empty)'));
    uris.forEach(function(u){p.appendChild(h('span',marked.indexOf(u)>=0?cls:'uri',u));});
    parent.appendChild(p);
  }
  function showFrame(box,s){
    box.textContent='';
    var text=frameOf(els[cur]);
    if(text===null){box.appendChild(h('p','hint','The frame of this arrow is not in the page.'));return;}
    var pre=h('pre','frame');
    text.split('\n').forEach(function(line){
      var changed=s.pathChange&&/^(To-Path|From-Path):/i.test(line);
      pre.appendChild(h('span',changed?'line changed':'line',line+'\n'));
    });
    box.appendChild(pre);
  }
  function showPaths(box,s){
    box.textContent='';
    var pc=s.pathChange;if(!pc)return;
    var u=function(l){return l.map(function(i){return D.uris[i];});};
    var c={node:pc.node,toBefore:u(pc.toBefore),toRemoved:u(pc.toRemoved),fromBefore:u(pc.fromBefore),fromAdded:u(pc.fromAdded)};
    box.appendChild(h('h4',null,'What '+c.node+' changed on this hop'));
    uriList(box,'To-Path as received:',c.toBefore,c.toRemoved,'removed');
    uriList(box,'To-Path sent:',c.toBefore.filter(function(u){return c.toRemoved.indexOf(u)<0;}),[],'');
    uriList(box,'From-Path as received:',c.fromBefore,[],'');
    uriList(box,'From-Path sent:',c.fromAdded.concat(c.fromBefore),c.fromAdded,'added');
  }
  function showRule(box,s){
    box.textContent='';
    var ids=[];if(s.rule)ids.push(s.rule);if(s.end&&s.end.rule&&ids.indexOf(s.end.rule)<0)ids.push(s.end.rule);
    if(ids.length===0){box.appendChild(h('p','hint','No rule is recorded for this frame.'));return;}
    ids.forEach(function(id){
      var r=D.rules[id]||{ref:'',title:''};
      var p=h('p','rule');p.appendChild(h('b',null,id));
      if(r.ref)p.appendChild(h('span','ref',' '+r.ref));
      if(r.title)p.appendChild(h('span',null,': '+r.title));
      box.appendChild(p);
    });
  }
  function showMessage(box,s){
    box.textContent='';
    if(s.message===undefined){box.appendChild(h('p','hint','Not part of an MSRP message.'));return;}
    var m=D.messages[s.message],k=m.steps.indexOf(cur);
    var p=h('p',null,'Message '+m.messageId+': frame '+(k+1)+' of '+m.steps.length+' (requests by Message-ID, across transaction-id rewrites, and their responses). ');
    var prev=h('button',null,'‹ previous hop');prev.id='step-msg-prev';prev.disabled=k<=0;prev.addEventListener('click',function(){go(m.steps[k-1]);});
    var next=h('button',null,'next hop ›');next.id='step-msg-next';next.disabled=k>=m.steps.length-1;next.addEventListener('click',function(){go(m.steps[k+1]);});
    var fol=h('button',null,following===s.message?'stop following':'follow');fol.id='step-follow';fol.addEventListener('click',function(){follow(following===s.message?null:s.message);});
    p.appendChild(prev);p.appendChild(next);p.appendChild(fol);box.appendChild(p);
    if(s.reportOf!==undefined){
      var q=h('p','report-link','This REPORT reports on the SEND at ');q.id='step-report-of';q.appendChild(link(s.reportOf));
      q.appendChild(document.createTextNode(m.successReport?' (its Success-Report: yes asked for it).':' (a failure REPORT needs no asking: Failure-Report defaults to yes).'));
      box.appendChild(q);
    }
    if(s.reports&&s.reports.length){
      var r=h('p','report-link','REPORTs about this message: ');r.id='step-reports';
      s.reports.forEach(function(i,j){if(j)r.appendChild(document.createTextNode(', '));r.appendChild(link(i,'step '+(i+1)+' ('+steps[i].from+' → '+steps[i].to+')'));});
      box.appendChild(r);
    }
  }
  var GONE={transaction:['done','timed-out'],token:['forgotten'],peer:['closed']};
  function describe(kind,key,f,now){
    var x=[];
    switch(kind){
      case 'auth':x.push('AUTH to '+f.relay+': '+f.state);if(f.usePath)x.push('Use-Path '+f.usePath);if(f.expires!==null&&f.expires!==undefined)x.push('expires '+f.expires+' s');if(f.refreshAt!==null&&f.refreshAt!==undefined)x.push('re-AUTH at '+fmtT(f.refreshAt));break;
      case 'token':x.push('token '+f.token+' of '+f.user+' on '+f.conn+': '+f.state);if(f.expiresAt!==undefined)x.push('expires at '+fmtT(f.expiresAt));break;
      case 'peer':x.push('client connection '+f.conn+': '+f.state);if(f.user)x.push('user '+f.user);if(f.failures)x.push(f.failures+' failed AUTH');break;
      case 'session':x.push('session '+f.session+': '+f.state);if(f.conn)x.push('on '+f.conn);if(f.toPath&&f.toPath.length)x.push('To-Path '+f.toPath.join(' '));break;
      case 'transaction':x.push('transaction '+f.transactionId+' '+f.method+' on '+f.conn+': '+f.state);if(f.timerAt!==null&&f.timerAt!==undefined)x.push('timer at '+fmtT(f.timerAt)+(f.timerAt>=now?' (in '+fmtDur(f.timerAt-now)+')':''));if(f.messageId)x.push('message '+f.messageId);break;
      case 'message':x.push('message '+f.messageId+' '+(f.direction==='out'?'sent':'received')+' in '+f.session+': '+f.state);x.push(f.bytes+(f.total!==null&&f.total!==undefined?'/'+f.total:'')+' bytes');break;
      default:x.push(kind+' '+key);
    }
    if(f.change)x.push('('+f.change+')');
    return x.join(' · ');
  }
  function showState(box,s,i){
    box.textContent='';
    var st=D.states;
    if(st.changes.length===0){
      box.appendChild(h('p','hint',D.traceVersion<2?'This trace has no node state records (state.*): it is a trace format version 1 trace, written before msrp-sim recorded node state, so the panel shows no state rather than guess it.':'This trace has no node state records (state.*): no node recorded a state change in this run.'));
      return;
    }
    var from=i>0?steps[i-1].states:0,to=s.states,now=steps[i+1]?steps[i+1].t:s.t;
    var sn=stateAt(to);
    var changed={};for(var c=from;c<to;c++){var ch=st.changes[c];changed[st.nodes[ch[1]]+'|'+st.kinds[ch[2]]+'|'+ch[3]]=true;}
    var names=D.nodes.slice();st.nodes.forEach(function(n){if(names.indexOf(n)<0)names.push(n);});
    names.forEach(function(n){
      var d=h('div','node');d.setAttribute('data-node',n);d.appendChild(h('h4',null,n));
      var ul=h('ul'),any=false,byKind=sn[n]||{};
      st.kinds.forEach(function(kind){
        var byKey=byKind[kind]||{};
        Object.keys(byKey).forEach(function(key){any=true;var li=h('li',changed[n+'|'+kind+'|'+key]?'changed':null,describe(kind,key,byKey[key].fields,now));li.setAttribute('data-kind',kind);ul.appendChild(li);});
      });
      if(!any)ul.appendChild(h('li','none','no state recorded yet'));
      d.appendChild(ul);box.appendChild(d);
    });
    if(to>from){
      var cl=h('div','changes');cl.appendChild(h('h4',null,'Changed in this step'));
      var ul2=h('ul');
      for(var k=from;k<to;k++){var x=st.changes[k],kind=st.kinds[x[2]],f=x[4];var ended=(GONE[kind]||[]).indexOf(String(f.state))>=0;ul2.appendChild(h('li',ended?'ended':null,fmtT(f.at)+' '+st.nodes[x[1]]+': '+describe(kind,x[3],f,now)));}
      cl.appendChild(ul2);box.appendChild(cl);
    }
  }
  function setFuture(i,on){var e=els[i];if(e)e.classList.toggle('step-future',on);}
  function go(i,keepPlaying){
    if(N===0)return;
    i=Math.max(0,Math.min(N-1,i|0));
    if(!keepPlaying)pause();
    var first=!document.body.classList.contains('stepping');
    document.body.classList.add('stepping');
    if(first){for(var k=0;k<N;k++)setFuture(k,k>i);}
    else if(i>cur){for(var a=cur+1;a<=i;a++)setFuture(a,false);}
    else{for(var b=i+1;b<=cur;b++)setFuture(b,true);}
    if(cur>=0&&els[cur])els[cur].classList.remove('step-current');
    cur=i;var s=steps[i],el=els[i];
    if(el){el.classList.add('step-current');el.scrollIntoView({block:'center',inline:'center'});}
    panel.hidden=false;
    scrub.value=String(i);pos.textContent='step '+(i+1)+' / '+N;
    $('step-title').textContent='Step '+(i+1)+' of '+N+': '+s.label;
    $('step-when').textContent=s.from+' → '+s.to+' · sent '+fmtT(s.t)+(s.arrival!==null&&s.arrival!==undefined?' · arrived '+fmtT(s.arrival)+' ('+fmtDur(s.arrival-s.t)+')':'')+(s.end?' · '+s.end.kind+' at '+s.end.at+': '+s.end.reason:'');
    document.querySelectorAll('#topology svg, #step-topology svg').forEach(function(svg){drawHop(svg,s);});
    showRule($('step-rule'),s);showPaths($('step-paths'),s);showMessage($('step-message'),s);showState($('step-state'),s,i);showFrame($('step-frame'),s);
    var want='#step-'+(i+1);
    if(location.hash!==want&&history.replaceState)history.replaceState(null,'',want);
  }
  function follow(m){
    var old=document.querySelectorAll('.step-followed');for(var i=0;i<old.length;i++)old[i].classList.remove('step-followed');
    following=m===undefined?null:m;
    document.body.classList.toggle('following',following!==null);
    if(following!==null)D.messages[following].steps.forEach(function(k){if(els[k])els[k].classList.add('step-followed');});
    if(cur>=0)showMessage($('step-message'),steps[cur]);
  }
  function leave(){
    pause();follow(null);document.body.classList.remove('stepping');panel.hidden=true;
    els.forEach(function(e){if(e){e.classList.remove('step-future');e.classList.remove('step-current');}});
    document.querySelectorAll('g.step-hop').forEach(function(g){g.remove();});
    cur=-1;pos.textContent=N+' steps';
    if(history.replaceState)history.replaceState(null,'',location.pathname+location.search);
  }
  function speed(){return +speedSel.value||2;}
  function tick(){if(cur>=N-1){pause();return;}go(cur+1,true);timer=setTimeout(tick,1000/speed());}
  function play(){if(timer!==null||N===0)return;if(cur<0||cur>=N-1)go(0);playBtn.textContent='❚❚ pause';playBtn.setAttribute('aria-pressed','true');timer=setTimeout(tick,1000/speed());}
  function pause(){if(timer!==null){clearTimeout(timer);timer=null;}playBtn.textContent='▶ play';playBtn.setAttribute('aria-pressed','false');}
  function runTo(test){for(var i=cur+1;i<N;i++)if(test(steps[i])){go(i);return true;}flash('none further');return false;}
  function flash(text){var f=$('step-flash');f.textContent=text;setTimeout(function(){if(f.textContent===text)f.textContent='';},1500);}
  var RUN={auth:function(s){return s.method==='AUTH';},c401:function(s){return s.status===401;},drop:function(s){return !!s.end;},report:function(s){return s.method==='REPORT';}};
  function runToTid(){var v=$('step-tid').value.trim();if(!v)return;runTo(function(s){return s.transactionId===v;});}
  function onClick(id,f){var e=$(id);if(e)e.addEventListener('click',f);}
  onClick('step-first',function(){go(0);});
  onClick('step-back',function(){go(cur<0?0:cur-1);});
  onClick('step-next',function(){go(cur+1);});
  onClick('step-last',function(){go(N-1);});
  onClick('step-prev2',function(){go(cur<0?0:cur-1);});
  onClick('step-next2',function(){go(cur+1);});
  onClick('step-play',function(){if(timer!==null)pause();else play();});
  onClick('step-stop',leave);
  onClick('step-close',leave);
  onClick('step-run-auth',function(){runTo(RUN.auth);});
  onClick('step-run-401',function(){runTo(RUN.c401);});
  onClick('step-run-drop',function(){runTo(RUN.drop);});
  onClick('step-run-report',function(){runTo(RUN.report);});
  onClick('step-run-tid',runToTid);
  onClick('step-help-btn',function(){var x=$('step-help');x.hidden=!x.hidden;});
  $('step-tid').addEventListener('keydown',function(e){if(e.key==='Enter'){e.preventDefault();runToTid();}e.stopPropagation();});
  scrub.addEventListener('input',function(){go(+scrub.value);});
  // Clicking an arrow: go to its step and follow its message.
  document.addEventListener('click',function(e){
    var n=e.target;
    while(n&&n!==document){
      if(n.id==='step-panel'||n.id==='step-bar'||n.id==='panel')return;
      if(n.getAttribute&&n.getAttribute('data-arrow')!==null){
        var i=stepOfArrow[n.getAttribute('data-arrow')];
        if(i!==undefined){go(i);follow(steps[i].message===undefined?null:steps[i].message);}
        return;
      }
      n=n.parentNode;
    }
  });
  document.addEventListener('keydown',function(e){
    var t=e.target;if(e.ctrlKey||e.metaKey||e.altKey)return;
    if(t&&(t.tagName==='INPUT'||t.tagName==='SELECT'||t.tagName==='TEXTAREA'))return;
    var k=e.key,done=true;
    if(k===' '||k==='p'){if(timer!==null)pause();else play();}
    else if(k==='n'||k==='.')go(cur+1);
    else if(k==='b'||k===',')go(cur<0?0:cur-1);
    else if(k==='Home')go(0);
    else if(k==='End')go(N-1);
    else if(k==='a')runTo(RUN.auth);
    else if(k==='4')runTo(RUN.c401);
    else if(k==='d')runTo(RUN.drop);
    else if(k==='r')runTo(RUN.report);
    else if(k==='t')$('step-tid').focus();
    else if(k==='f'&&cur>=0){var m=steps[cur].message;follow(m===undefined||following===m?null:m);}
    else if((k===']'||k==='[')&&cur>=0&&steps[cur].message!==undefined){var ms=D.messages[steps[cur].message].steps,j=ms.indexOf(cur)+(k===']'?1:-1);if(j>=0&&j<ms.length)go(ms[j]);}
    else if(k==='+'||k==='='){speedSel.selectedIndex=Math.min(speedSel.options.length-1,speedSel.selectedIndex+1);}
    else if(k==='-'){speedSel.selectedIndex=Math.max(0,speedSel.selectedIndex-1);}
    else if(k==='?'){var x=$('step-help');x.hidden=!x.hidden;}
    else if(k==='Escape'){if(following!==null)follow(null);else if(cur>=0)leave();else done=false;}
    else done=false;
    if(done)e.preventDefault();
  });
  function fromHash(){var m=/^#step-([0-9]+)$/.exec(location.hash);if(m&&N>0){go(+m[1]-1);return true;}return false;}
  window.addEventListener('hashchange',fromHash);
  pos.textContent=N+' steps';
  bar.hidden=false;
  fromHash();
  window.msrpStepper={go:go,follow:follow,leave:leave,current:function(){return cur;},count:N};
})();`;

/** The player's script, with the node state replay embedded. */
export function stepPlayerScript(): string {
  return `var replay=${replayNodeState.toString()};\n${PLAYER}`;
}
